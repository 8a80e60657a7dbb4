// Package look holds what the staff pages (the agent console and the
// dashboard) share of their stylesheets: colours, type, the header bar,
// notices and buttons, written once so that the pages look alike.
package look

import _ "embed"

//go:embed base.css
var base []byte

// Stylesheet returns a page's stylesheet: the shared rules, then the page's
// own, which may add to or override them.
func Stylesheet(own []byte) []byte {
	out := make([]byte, 0, len(base)+len(own))
	return append(append(out, base...), own...)
}
