// Package texts holds the small text helpers the knowledge loaders share:
// splitting a list cell of a table, and turning a heading or a path part
// into an id slug.
package texts

import "strings"

// SplitList splits a list cell of a table on ";" (and on nothing else:
// "," "|" "、" and "，" stay inside items), trims white space (as
// strings.TrimSpace) around each item and drops empty items. It returns
// nil when no item is left, and never an empty string.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
