package bot

import (
	"strconv"
	"strings"
)

// PreferredLanguage returns the reply language, "en" or "zh", that an HTTP
// Accept-Language header prefers (RFC 9110 §12.5.4: the highest q wins,
// then the first listed); "en" when it names neither. Malformed entries are
// skipped and only the first KiB is read.
func PreferredLanguage(acceptLanguage string) string {
	h := acceptLanguage
	if len(h) > 1024 {
		h = h[:1024]
	}
	best, bestQ := "en", 0.0
	for part := range strings.SplitSeq(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		var l string
		switch {
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			l = "zh"
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			l = "en"
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}
