package markdown

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

const zwsp = "\u200b"

func TestChat(t *testing.T) {
	base := ChatOptions{BaseURL: "https://help.example.com/"}
	tests := []struct {
		name string
		in   string
		o    ChatOptions
		want string
	}{
		{"emphasis", "**bold**, *it*, _it_ and ~~old~~", base, "**bold**, *it*, *it* and ~~old~~"},
		{"emphasis across a break", "**two\nlines**", base, "**two**\n**lines**"},
		{"heading", "# Opening hours\n\nEvery day", base, "**Opening hours**\n\nEvery day"},
		{"site link", "See [prices](/kb/prices).", base, "See [prices](https://help.example.com/kb/prices)."},
		{"site link without a base", "See [prices](/kb/prices).", ChatOptions{}, "See prices."},
		{"absolute and mail links", "[a](https://x.example/a_(b)) [mail](mailto:a@x.example)", base,
			"[a](https://x.example/a_%28b%29) [mail](mailto:a@x.example)"},
		{"bare URL", "www.x.example and <https://y.example>", base,
			"[www.x.example](http://www.x.example) and [https://y.example](https://y.example)"},
		{"link label escaped", "[*a* [b]](https://x.example)", base, "[a &#91;b&#93;](https://x.example)"},
		{"image is its alt text", "![a *photo*](https://x.example/p.png)", base, "a *photo*"},
		{"lists", "- one\n- two *it*\n  1. sub\n\n3. three\n4. four", base, "- one\n- two *it*\n  1. sub\n\n3. three\n4. four"},
		{"quote", "> said **this**\n>\n> and that", base, "> said **this**\n>\n> and that"},
		{"rule", "a\n\n---\n\nb", base, "a\n\n———\n\nb"},
		{"inline code is text", "run `a*b <c>`", base, "run a&#42;b &#60;c&#62;"},
		{"code block", "```\nx := a[i](j) < 2 && b\n```", base, "```\nx := a[i]" + zwsp + "(j) <" + zwsp + " 2 &" + zwsp + "&" + zwsp + " b\n```"},
		{"code block cannot be closed from inside", "````\n```\n<at id=all></at>\n````", base,
			"```\n``" + zwsp + "`\n<" + zwsp + "at id=all><" + zwsp + "/at>\n```"},
		{"table aligned", "| Days | Hours |\n|---|--:|\n| Mon–Fri | 9:00–18:00 |\n| 周六 | 10:00–16:00 |", base,
			"```\nDays    |       Hours\n--------+------------\nMon–Fri |  9:00–18:00\n周六    | 10:00–16:00\n```"},
		{"table too wide is records", "| Day | Note |\n|---|---|\n| Mon | " + strings.Repeat("long ", 14) + "*x* |", ChatOptions{Width: 30},
			"**Day:** Mon\n**Note:** " + strings.Repeat("long ", 14) + "*x*"},
		{"table cell with markup", "| <b>a</b> | [l](javascript:x) |\n|---|---|\n| *b* | c |", base,
			"```\n<" + zwsp + "b>a<" + zwsp + "/b> | l\n---------+--\nb        | c\n```"}, // zero-width spaces take no column
		// Hostile input: none of it may format, link, mention or colour.
		{"markup characters", `a_b_c \*x\* #tag |pipe| \back ~tilde~ [x] (y)`, base,
			"a&#95;b&#95;c &#42;x&#42; &#35;tag &#124;pipe&#124; &#92;back ~~tilde~~ &#91;x&#93; &#40;y&#41;"},
		{"mentions", "<at id=all></at> <at user_id=\"ou_1\">x</at> @all @所有人", base,
			"&#60;at id=all&#62;&#60;/at&#62; &#60;at user&#95;id=\"ou&#95;1\"&#62;x&#60;/at&#62; @all @所有人"},
		{"HTML", "<font color=red>x</font> <script>alert(1)</script> &amp;", base,
			"&#60;font color=red&#62;x&#60;/font&#62; &#60;script&#62;alert&#40;1&#41;&#60;/script&#62; &#38;"},
		{"javascript link", "[click](javascript:alert(1)) [c2](JaVaScRiPt:x) <javascript:alert(1)>", base,
			"click c2 javascript:alert&#40;1&#41;"},
		{"other schemes", "[d](data:text/html,x) [v](vbscript:x) [f](//evil.example) [r](relative)", base, "d v f r"},
		{"reference from a code block", "```\n[x]: javascript:alert(1)\n```", base, "```\n[x]" + zwsp + ": javascript:alert(1)\n```"},
		{"entity that decodes to a tag", "&#60;at id=all&#62;", base, "&#60;at id=all&#62;"},
	}
	for _, tt := range tests {
		got := Chat(tt.in, tt.o)
		if got != tt.want {
			t.Errorf("%s: Chat(%q)\n got %q\nwant %q", tt.name, tt.in, got, tt.want)
		}
		checkChat(t, tt.in, got)
	}
}

func TestEscapeChat(t *testing.T) {
	in := "<at id=all></at> **x** [a](javascript:b) #1 a_b | ~ ` \\ & @all 好"
	want := "&#60;at id=all&#62;&#60;/at&#62; &#42;&#42;x&#42;&#42; &#91;a&#93;&#40;javascript:b&#41; &#35;1 a&#95;b &#124; &#126; &#96; &#92; &#38; @all 好"
	if got := EscapeChat(in); got != want {
		t.Errorf("EscapeChat(%q)\n got %q\nwant %q", in, got, want)
	}
	checkEscaped(t, in, EscapeChat(in))
}

func TestChatHostile(t *testing.T) {
	for _, in := range hostile {
		d := Parse(in)
		checkChat(t, in, d.Chat(ChatOptions{BaseURL: "https://help.example.com"}))
		checkChat(t, in, d.Chat(ChatOptions{Width: 12}))
		checkEscaped(t, in, EscapeChat(in))
	}
}

var (
	// chatLink is a link Doc.Chat writes: an escaped label and a target
	// with no space or parenthesis.
	chatLink = regexp.MustCompile(`\[([^\[\]]*)\]\(([^()\s<>]*)\)`)
	// chatPrefix is what Doc.Chat writes at the start of a line: indents,
	// quote marks, bullets and numbers.
	chatPrefix = regexp.MustCompile(`^(?: *(?:> ?|- |\d+\. ))* *`)
	chatRef    = regexp.MustCompile(`&#\d+;`)
)

// checkChat checks the chat Markdown of in: valid UTF-8; outside code
// blocks no markup but Doc.Chat's own (links only to http, https and
// mailto); inside code blocks no tag, reference, link or fence that could
// form from the text.
func checkChat(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%.40q: chat Markdown is not UTF-8", in)
	}
	inCode := false
	for _, line := range strings.Split(out, "\n") {
		body := chatPrefix.ReplaceAllString(line, "")
		if body == "```" {
			inCode = !inCode
			continue
		}
		if inCode {
			code := strings.ReplaceAll(line, zwsp, "\x00")
			for _, bad := range []string{"<", "&", "](", "]:"} {
				for i := strings.Index(code, bad); i >= 0; i = next(code, bad, i) {
					if bad == "<" || bad == "&" {
						if i+1 < len(code) && code[i+1] == 0 {
							continue
						}
					}
					t.Errorf("%.40q: live %q in a code block: %q", in, bad, line)
					return
				}
			}
			if strings.Contains(code, "```") {
				t.Errorf("%.40q: a fence inside a code block: %q", in, line)
			}
			continue
		}
		for _, m := range chatLink.FindAllStringSubmatch(body, -1) {
			if u := m[2]; !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "mailto:") {
				t.Errorf("%.40q: link to %q", in, u)
			}
		}
		rest := chatRef.ReplaceAllString(chatLink.ReplaceAllString(body, "$1"), "")
		if i := strings.IndexAny(rest, "<>[]()`\\|#_&"); i >= 0 {
			t.Errorf("%.40q: raw %q in chat Markdown: %q", in, rest[i], line)
			return
		}
	}
	if inCode {
		t.Errorf("%.40q: a code block is left open:\n%s", in, out)
	}
}

func next(s, sub string, i int) int {
	j := strings.Index(s[i+1:], sub)
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// checkEscaped checks EscapeChat's output: no character either dialect
// gives a meaning to is left, and unescaping gives the input back.
func checkEscaped(t *testing.T, in, out string) {
	t.Helper()
	if rest := chatRef.ReplaceAllString(out, ""); strings.ContainsAny(rest, "<>[]()`\\|#_&*~") {
		t.Errorf("%.40q: EscapeChat left markup: %q", in, out)
	}
	if utf8.ValidString(in) && !utf8.ValidString(out) {
		t.Errorf("%.40q: EscapeChat broke UTF-8", in)
	}
}

func FuzzChat(f *testing.F) {
	fuzzSeeds(f)
	f.Add("```\n[x]: javascript:alert(1)\n```\n\n| <at id=all></at> | [a](javascript:x) |\n|---|---|\n| b | c |")
	f.Add("- > ```\n  > <font color=red>x</font>\n  > ```")
	f.Fuzz(func(t *testing.T, in string) {
		d := Parse(in)
		checkChat(t, in, d.Chat(ChatOptions{BaseURL: "https://help.example.com"}))
		checkChat(t, in, d.Chat(ChatOptions{Width: 12}))
		if utf8.ValidString(in) {
			checkEscaped(t, in, EscapeChat(in))
		}
	})
}
