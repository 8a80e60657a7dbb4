package markdown

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// hostile are inputs every renderer must survive and keep harmless.
var hostile = []string{
	"<script>alert(1)</script>",
	"hello <script>alert(1)</script> world",
	"<img src=x onerror=alert(1)>",
	"[click](javascript:alert(1))",
	"[click](JaVaScRiPt:alert(1))",
	"[click](jav&#x61;script:alert(1))",
	"[click](java\\\nscript:alert(1))",
	"[click](data:text/html;base64,PHNjcmlwdD4=)",
	"[click](vbscript:msgbox(1))",
	"[click](//evil.example/x)",
	"[click](/\\evil.example/x)",
	"[click](https://a.example/\"onmouseover=alert(1))",
	"<javascript:alert(1)>",
	"![x](https://evil.example/track.png)",
	"![<img src=x onerror=alert(1)>](https://evil.example/a.png)",
	"| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | <b>bold</b> |",
	"| <script>x</script> |\n|---|\n| [a](javascript:x) |",
	"<div onclick=\"alert(1)\">\n*text*\n</div>",
	"&lt;script&gt;alert(1)&lt;/script&gt;",
	"`<script>`",
	"```\n</code></pre><script>alert(1)</script>\n```",
	"a\xffb\xfe\xfd",
	"\x1b[2J\x1b]0;title\x07red\x9b31m",
	"<!channel> <@U123> <https://x.example|phish>",
	"[a](https://x.example \"<title>\")",
	strings.Repeat("- ", 3000) + "deep",
	strings.Repeat("> ", 3000) + "deep",
	strings.Repeat("*a ", 2000) + strings.Repeat("* ", 2000),
	strings.Repeat("[", 5000) + "x" + strings.Repeat("](/a)", 5000),
}

func TestHTML(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"paragraphs", "one\ntwo\n\nthree", "<p>one<br>two</p><p>three</p>"},
		{"emphasis", "**b** *i* ~~s~~ `c`", "<p><strong>b</strong> <em>i</em> <del>s</del> <code>c</code></p>"},
		{"heading", "# Hours", "<p><strong>Hours</strong></p>"},
		{"list", "- a\n- b\n  - c", "<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>"},
		{"ordered", "3. a\n4. b", `<ol start="3"><li>a</li><li>b</li></ol>`},
		{"table", "| Days | Hours |\n|---|--:|\n| Mon | 9-5 |",
			`<div class="md-table"><table><thead><tr><th>Days</th><th class="md-right">Hours</th></tr></thead>` +
				`<tbody><tr><td>Mon</td><td class="md-right">9-5</td></tr></tbody></table></div>`},
		{"link", "[shop](https://shop.example/a?b=1&c=2)",
			`<p><a href="https://shop.example/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" target="_blank">shop</a></p>`},
		{"relative link", "[returns](/kb/returns)",
			`<p><a href="/kb/returns" rel="noopener noreferrer nofollow" target="_blank">returns</a></p>`},
		{"mailto", "<service@shop.example>",
			`<p><a href="mailto:service@shop.example" rel="noopener noreferrer nofollow" target="_blank">service@shop.example</a></p>`},
		{"bare url", "see www.shop.example",
			`<p>see <a href="http://www.shop.example" rel="noopener noreferrer nofollow" target="_blank">www.shop.example</a></p>`},
		{"code block", "```\na < b\n```", "<pre><code>a &lt; b</code></pre>"},
		{"script", "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
		{"inline html", "a <b onclick=x>b</b>", "<p>a &lt;b onclick=x&gt;b&lt;/b&gt;</p>"},
		{"javascript link", "[click](javascript:alert(1))", "<p>click</p>"},
		{"entity javascript link", "[click](jav&#x61;script:alert(1))", "<p>click</p>"},
		{"protocol-relative link", "[click](//evil.example)", "<p>click</p>"},
		{"backslash link", "[click](/\\evil.example)", "<p>click</p>"},
		{"relative path link", "[click](kb/x)", "<p>click</p>"},
		{"image", "![a cat](https://x.example/cat.png)", "<p>a cat</p>"},
		{"html in table", "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
			`<div class="md-table"><table><thead><tr><th>a</th></tr></thead><tbody><tr><td>&lt;img src=x onerror=alert(1)&gt;</td></tr></tbody></table></div>`},
		{"entities", "&lt;b&gt; &amp; &copy; \\*", "<p>&lt;b&gt; &amp; © *</p>"},
		{"invalid utf-8", "a\xffb", "<p>a\uFFFDb</p>"},
		{"control characters", "a\x1b[31mb\x00c", "<p>a[31mb\uFFFDc</p>"},
		{"empty", "  \n\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, HTML(tt.in)); diff != "" {
				t.Errorf("HTML(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, in string
		opts     TextOptions
		want     string
	}{
		{"paragraphs and emphasis", "**Opening** hours\nevery *day*\n\nWelcome", TextOptions{},
			"Opening hours\nevery day\n\nWelcome"},
		{"table with CJK", "| 日期 | Hours |\n|---|--:|\n| 周一至周五 | 9:00–18:00 |\n| Sat | 10–16 |", TextOptions{},
			"日期       |      Hours\n" +
				"-----------+-----------\n" +
				"周一至周五 | 9:00–18:00\n" +
				"Sat        |      10–16"},
		{"centred column", "| a | b |\n|:-:|---|\n| x | yyyy |\n| zzzzz | w |", TextOptions{},
			"  a   | b\n------+-----\n  x   | yyyy\nzzzzz | w"},
		{"lists", "- one\n- two\n  - nested\n\n1. first\n2. second", TextOptions{},
			"- one\n- two\n  - nested\n\n1. first\n2. second"},
		{"links", "[Returns](/kb/returns), <https://x.example/a>, [mail](mailto:a@x.example)", TextOptions{BaseURL: "https://help.example/"},
			"Returns (https://help.example/kb/returns), https://x.example/a, mail (mailto:a@x.example)"},
		{"relative link without base", "[Returns](/kb/returns)", TextOptions{}, "Returns (/kb/returns)"},
		{"code block", "```\nx := 1\n```", TextOptions{}, "    x := 1"},
		{"quote", "> careful\n>\n> now", TextOptions{}, "> careful\n>\n> now"},
		{"no terminal escapes", "\x1b[2J\x1b]0;pwned\x07hi\u009b1m", TextOptions{}, "[2J]0;pwnedhi1m"},
		{"wide table as records", "| Name | Description |\n|---|---|\n| Longjing | " + strings.Repeat("x", 120) + " |", TextOptions{},
			"Name: Longjing\nDescription: " + strings.Repeat("x", 120)},
		{"html stays text", "<b>hi</b>", TextOptions{}, "<b>hi</b>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Text(tt.in, tt.opts)); diff != "" {
				t.Errorf("Text(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestSlack(t *testing.T) {
	tests := []struct {
		name, in string
		opts     SlackOptions
		want     []string
	}{
		{"emphasis", "**b** *i* ~~s~~ `c`", SlackOptions{}, []string{"*b* _i_ ~s~ `c`"}},
		{"spaces stay outside marks", "** b ** x", SlackOptions{}, []string{"** b ** x"}},
		{"escaping", "a & b <!channel> <@U1> 1 > 0", SlackOptions{}, []string{"a &amp; b &lt;!channel&gt; &lt;@U1&gt; 1 &gt; 0"}},
		{"link", "[Shop & more](https://x.example/a?b=1&c=2|x)", SlackOptions{},
			[]string{"<https://x.example/a?b=1&amp;c=2%7Cx|Shop &amp; more>"}},
		{"relative link", "[Returns](/kb/returns)", SlackOptions{BaseURL: "https://help.example"},
			[]string{"<https://help.example/kb/returns|Returns>"}},
		{"relative link without base", "[Returns](/kb/returns)", SlackOptions{}, []string{"Returns"}},
		{"javascript link", "[click](javascript:alert(1))", SlackOptions{}, []string{"click"}},
		{"heading", "## Hours", SlackOptions{}, []string{"*Hours*"}},
		{"lists", "- a\n- b\n  - c\n\n1. x", SlackOptions{}, []string{"• a\n• b\n  • c\n\n1. x"}},
		{"table", "| Days | Hours |\n|---|---|\n| 周一 | 9<18 |", SlackOptions{},
			[]string{"```\nDays | Hours\n-----+------\n周一 | 9&lt;18\n```"}},
		{"code block", "```\na ``` b\n```", SlackOptions{}, []string{"```\na ``\u200b` b\n```"}},
		{"wide table as records", "| Name | Note |\n|---|---|\n| Tea | **" + strings.Repeat("y", 80) + "** |", SlackOptions{},
			[]string{"*Name:* Tea\n*Note:* *" + strings.Repeat("y", 80) + "*"}},
		{"empty", "", SlackOptions{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Slack(tt.in, tt.opts)); diff != "" {
				t.Errorf("Slack(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestSlackChunks checks that long answers are cut into pieces within the
// limit, each with balanced code fences, losing no row of a table.
func TestSlackChunks(t *testing.T) {
	var b strings.Builder
	b.WriteString("Intro paragraph.\n\n| Item | Price |\n|---|---|\n")
	for i := range 400 {
		fmt.Fprintf(&b, "| item %d | ¥%d |\n", i, i*3)
	}
	b.WriteString("\nClosing " + strings.Repeat("word ", 900) + "<https://x.example/" + strings.Repeat("a", 50) + ">")
	const limit = 500
	pieces := Slack(b.String(), SlackOptions{Limit: limit})
	if len(pieces) < 10 {
		t.Fatalf("%d pieces", len(pieces))
	}
	rows := 0
	for i, p := range pieces {
		if n := utf8.RuneCountInString(p); n > limit {
			t.Errorf("piece %d has %d characters", i, n)
		}
		if n := strings.Count("\n"+p+"\n", "\n```\n"); n%2 != 0 {
			t.Errorf("piece %d has %d fences:\n%s", i, n, p)
		}
		rows += strings.Count(p, "| ¥")
		if strings.Count(p, "<") != strings.Count(p, ">") && !strings.Contains(p, "aaaa") {
			t.Errorf("piece %d cuts a link:\n%s", i, p)
		}
	}
	if rows != 400 {
		t.Errorf("%d table rows in the pieces, want 400", rows)
	}
}

// TestHostile runs every renderer over hostile input.
func TestHostile(t *testing.T) {
	for _, in := range hostile {
		d := Parse(in)
		if depth := docDepth(d); depth > MaxDepth+2 {
			t.Errorf("%.40q: tree %d deep", in, depth)
		}
		checkHTML(t, in, d.HTML())
		checkText(t, in, d.Text(TextOptions{}))
		checkSlack(t, in, d.Slack(SlackOptions{}), 3000)
		checkSlack(t, in, d.Slack(SlackOptions{Limit: 64}), 64)
		checkTree(t, in, d.Blocks)
	}
}

func TestHugeTable(t *testing.T) {
	var b strings.Builder
	cols := 12
	for r := range 300 { // longer than MaxInputBytes: cut between rows
		b.WriteString("|")
		for c := range cols {
			fmt.Fprintf(&b, " <b>%d.%d</b> |", r, c)
		}
		b.WriteString("\n")
		if r == 0 {
			b.WriteString(strings.Repeat("|---", cols) + "|\n")
		}
	}
	d := Parse(b.String())
	h := d.HTML()
	checkHTML(t, "huge table", h)
	if strings.Contains(h, "<b>") {
		t.Error("HTML in a cell was not escaped")
	}
	if n := strings.Count(h, "<tr>"); n < 50 || n >= 300 {
		t.Errorf("%d rows rendered", n)
	}
	if !strings.HasSuffix(h, "</td></tr></tbody></table></div><p>…</p>") {
		t.Errorf("the cut table does not end with whole rows: %q", h[len(h)-80:])
	}
	txt := d.Text(TextOptions{})
	checkText(t, "huge table", txt)
	if !strings.Contains(txt, "<b>0.0</b>: <b>1.0</b>") {
		t.Errorf("a table wider than the terminal is not shown as records:\n%.300s", txt)
	}
	checkSlack(t, "huge table", d.Slack(SlackOptions{}), 3000)
}

func TestSafeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://x.example/a b", ""},
		{"https://x.example/a%20b", "https://x.example/a%20b"},
		{"HTTPS://X.example/", "https://X.example/"},
		{"http://user:pw@x.example/", ""},
		{"mailto:a@x.example", "mailto:a@x.example"},
		{"/kb/returns#policy", "/kb/returns#policy"},
		{"//x.example", ""},
		{"/\\x.example", ""},
		{"kb/returns", ""},
		{"#top", ""},
		{"javascript:alert(1)", ""},
		{"data:text/html,x", ""},
		{"https:/x", ""},
		{"ftp://x.example", ""},
	}
	for _, tt := range tests {
		if got := SafeURL(tt.in); got != tt.want {
			t.Errorf("SafeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  Returns  policy \n", "Returns policy"},
		{"a\x1b[31mred\x07b", "a [31mred b"},
		{"line\r\nbreak\ttab", "line break tab"},
		{"c1\u0085\u009bx", "c1 x"},
		{"del\x7fx", "del x"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"退货 政策", "退货 政策"},
	}
	for _, tt := range tests {
		if got := OneLine(tt.in); got != tt.want {
			t.Errorf("OneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLongInputIsCut(t *testing.T) {
	in := strings.Repeat("word ", MaxInputBytes)
	d := Parse(in)
	if n := len(PlainText(d.Blocks[0].Children)); n > MaxInputBytes+8 {
		t.Errorf("%d bytes kept", n)
	}
}

func docDepth(d *Doc) int {
	var depth func([]*Node) int
	depth = func(ns []*Node) int {
		m := 0
		for _, n := range ns {
			m = max(m, 1+depth(n.Children))
		}
		return m
	}
	return depth(d.Blocks)
}

// ourTags are the only markup Doc.HTML writes.
var ourTags = regexp.MustCompile(`</?(p|strong|em|del|code|pre|ul|li|blockquote|table|thead|tbody|tr)>|<ol( start="[0-9]+")?>|</ol>|<(hr|br)>|` +
	`<t[hd]( class="md-(left|center|right)")?>|</t[hd]>|<div class="md-table">|</div>|` +
	`<a href="([^"<>]*)" rel="noopener noreferrer nofollow" target="_blank">|</a>`)

var hrefAttr = regexp.MustCompile(`<a href="([^"]*)"`)

func checkHTML(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%.40q: HTML is not UTF-8", in)
	}
	if rest := ourTags.ReplaceAllString(out, ""); strings.ContainsAny(rest, "<>") {
		t.Errorf("%.40q: raw markup in HTML: %.200q", in, rest)
	}
	for _, m := range hrefAttr.FindAllStringSubmatch(out, -1) {
		if href := html.UnescapeString(m[1]); SafeURL(href) != href {
			t.Errorf("%.40q: unsafe href %q", in, href)
		}
	}
}

func checkText(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%.40q: text is not UTF-8", in)
	}
	for _, r := range out {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) {
			t.Errorf("%.40q: control character %U in text", in, r)
			return
		}
	}
}

// slackMarkup is the markup Doc.Slack writes: links, escapes and quote
// marks.
var slackMarkup = regexp.MustCompile(`<(https?|mailto):[^<>|\s]+\|[^<>]*>|&(amp|lt|gt);|(?m)^ *(> ?)+`)

// checkSlack checks pieces of mrkdwn: UTF-8, within limit, balanced code
// fences, and (with a limit that no link exceeds) no < or > but ours.
func checkSlack(t *testing.T, in string, pieces []string, limit int) {
	t.Helper()
	for _, p := range pieces {
		if !utf8.ValidString(p) {
			t.Errorf("%.40q: mrkdwn is not UTF-8", in)
		}
		if n := utf8.RuneCountInString(p); n > limit {
			t.Errorf("%.40q: piece of %d characters", in, n)
		}
		if n := strings.Count("\n"+p+"\n", "\n```\n"); n%2 != 0 {
			t.Errorf("%.40q: piece with %d fences:\n%s", in, n, p)
		}
		if rest := slackMarkup.ReplaceAllString(p, ""); limit >= maxSlackLink && strings.ContainsAny(rest, "<>") {
			t.Errorf("%.40q: raw < or > in mrkdwn: %.200q", in, rest)
		}
	}
}

func checkTree(t *testing.T, in string, ns []*Node) {
	t.Helper()
	for _, n := range ns {
		if _, ok := htmlTags[n.Kind]; !ok && !map[Kind]bool{KindText: true, KindHeading: true, KindTable: true,
			KindCodeBlock: true, KindRule: true, KindCode: true, KindLink: true, KindBreak: true}[n.Kind] {
			t.Errorf("%.40q: node of kind %q", in, n.Kind)
		}
		if n.Kind == KindLink && SafeURL(n.Href) != n.Href {
			t.Errorf("%.40q: link to %q", in, n.Href)
		}
		if !utf8.ValidString(n.Text) {
			t.Errorf("%.40q: text not UTF-8", in)
		}
		checkTree(t, in, n.Children)
	}
}

func fuzzSeeds(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("| a | b |\n|:-|-:|\n| 周一 | **x** [y](/kb/y) |")
	f.Add("- a\n  1. b\n     > c\n\n```\nd\n```")
}

func FuzzHTML(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in string) {
		d := Parse(in)
		checkHTML(t, in, d.HTML())
		checkTree(t, in, d.Blocks)
		if depth := docDepth(d); depth > MaxDepth+2 {
			t.Errorf("tree %d deep", depth)
		}
	})
}

func FuzzSlack(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in string) {
		d := Parse(in)
		checkSlack(t, in, d.Slack(SlackOptions{BaseURL: "https://help.example"}), 3000)
		checkSlack(t, in, d.Slack(SlackOptions{Limit: 40, Width: 20}), 40)
	})
}

func FuzzText(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in string) {
		checkText(t, in, Text(in, TextOptions{Width: 60}))
	})
}

// benchAnswer is a long answer of the kind the bot sends: a table, lists,
// links and emphasis.
var benchAnswer = strings.Repeat("Our **opening hours** and [prices](/kb/prices):\n\n"+
	"| Days | Hours | 价格 |\n|---|--:|:-:|\n| Mon–Fri | 9:00–18:00 | ¥199 |\n| 周六 | 10:00–16:00 | 免费 |\n\n"+
	"- Free parking\n- Near the metro, see www.example.com\n  1. exit 2\n  2. walk 5 min\n\n", 4)

func BenchmarkRender(b *testing.B) {
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Parse(benchAnswer)
		}
	})
	d := Parse(benchAnswer)
	b.Run("html", func(b *testing.B) {
		for b.Loop() {
			_ = d.HTML()
		}
	})
	b.Run("slack", func(b *testing.B) {
		for b.Loop() {
			_ = d.Slack(SlackOptions{})
		}
	})
	b.Run("text", func(b *testing.B) {
		for b.Loop() {
			_ = d.Text(TextOptions{})
		}
	})
}
