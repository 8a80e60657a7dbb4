// Package textdist measures how far apart two short strings are, for
// spelling correction and "did you mean" suggestions.
package textdist

// OSA returns the optimal string alignment distance of a and b: the fewest
// insertions, deletions, substitutions and swaps of two neighbouring runes
// that turn a into b (each substring edited once). When the distance is
// above limit it returns limit+1 as soon as that is certain, so a search
// for near words stays fast; a negative limit means no limit.
func OSA(a, b []rune, limit int) int {
	if limit < 0 {
		limit = max(len(a), len(b))
	}
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	// Three rows; on the stack for the short words this is meant for.
	n := len(b) + 1
	var buf [3 * 32]int
	rows := buf[:]
	if 3*n > len(buf) {
		rows = make([]int, 3*n)
	}
	prev2, prev, cur := rows[:n], rows[n:2*n], rows[2*n:3*n]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}

// OSAString is OSA over the runes of a and b.
func OSAString(a, b string, limit int) int { return OSA([]rune(a), []rune(b), limit) }
