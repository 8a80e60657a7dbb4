package knowledge

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/concierge-bot/concierge/bot"
)

// listValue is a YAML list of strings that may also be written as one
// string separated by commas or semicolons.
type listValue []string

// UnmarshalYAML implements yaml.Unmarshaler.
func (l *listValue) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = nil
		for _, p := range strings.FieldsFunc(n.Value, func(r rune) bool { return r == ',' || r == ';' }) {
			if p = strings.TrimSpace(p); p != "" {
				*l = append(*l, p)
			}
		}
		return nil
	case yaml.SequenceNode:
		*l = nil
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: list items must be plain text", c.Line)
			}
			if v := strings.TrimSpace(c.Value); v != "" {
				*l = append(*l, v)
			}
		}
		return nil
	}
	return fmt.Errorf("line %d: expected a list of text", n.Line)
}

// frontMatter is the YAML header of a Markdown page.
type frontMatter struct {
	ID       string    `yaml:"id"`
	Title    string    `yaml:"title"`
	Audience string    `yaml:"audience"`
	Tags     listValue `yaml:"tags"`
	Lang     string    `yaml:"lang"`
	Intents  listValue `yaml:"intents"`
	URL      string    `yaml:"url"`
	// Written by the importer (package knowledge/importer): where the page
	// came from, when, and the hash of what it was made of.
	SourceURL  string `yaml:"source_url"`
	SourceFile string `yaml:"source_file"`
	Imported   string `yaml:"imported"`
	Hash       string `yaml:"hash"`
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlErrLine extracts the line of a yaml.v3 error, shifted by offset; 0 when
// the error names no line.
func yamlErrLine(err error, offset int) int {
	m := yamlLineRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n + offset
}

// yamlErrMsg strips yaml.v3's "yaml: line N:" prefix from a message.
func yamlErrMsg(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = yamlLineRE.ReplaceAllString(msg, "")
	msg = strings.TrimLeft(msg, ": ")
	msg = strings.ReplaceAll(msg, "\n ", " ")
	return msg
}

// splitFrontMatter separates a leading "---" YAML block from the body. It
// returns the YAML, the body, the 1-based line where the body starts and
// whether a front matter block was present; ok is false when it is opened but
// never closed.
func splitFrontMatter(data []byte) (fm, body []byte, bodyLine int, present, ok bool) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) == 0 || strings.TrimRight(string(lines[0]), "\r\n \t") != "---" {
		return nil, data, 1, false, true
	}
	for i := 1; i < len(lines); i++ {
		l := strings.TrimRight(string(lines[i]), "\r\n \t")
		if l == "---" || l == "..." {
			return bytes.Join(lines[1:i], nil), bytes.Join(lines[i+1:], nil), i + 2, true, true
		}
	}
	return nil, nil, 0, true, false
}

// parsePage reads a Markdown page and splits it into passages at "##"
// headings.
func parsePage(name string, data []byte, ps *problems) []Document {
	fmText, body, bodyLine, present, ok := splitFrontMatter(data)
	if !ok {
		ps.add(1, "front matter starts with --- but has no closing --- line")
		return nil
	}
	var fm frontMatter
	if present {
		var raw yaml.Node
		if err := yaml.Unmarshal(fmText, &raw); err != nil {
			ps.add(yamlErrLine(err, 1), "front matter is not valid YAML: %s", yamlErrMsg(err))
			return nil
		}
		if len(raw.Content) > 0 && raw.Content[0].Kind != yaml.MappingNode {
			ps.add(2, "front matter must be a YAML mapping of fields such as id, title, audience")
			return nil
		}
		if err := raw.Decode(&fm); err != nil {
			ps.add(yamlErrLine(err, 1), "front matter: %s", yamlErrMsg(err))
			return nil
		}
	}
	def := bot.AudiencePublic
	if underInternal(name) {
		def = bot.AudienceInternal
	}
	aud, ok := parseAudience(fm.Audience, def)
	if !ok {
		ps.add(frontMatterLine(fmText, "audience"), "unknown audience %q (use public or internal); page skipped", fm.Audience)
		return nil
	}
	lang, ok := normLang(fm.Lang)
	if !ok {
		ps.add(frontMatterLine(fmText, "lang"), "unknown lang %q (use en or zh); page skipped", fm.Lang)
		return nil
	}
	id := strings.TrimSpace(fm.ID)
	if id == "" {
		id = strings.TrimSuffix(name, path.Ext(name))
	}
	if !validID(id) {
		ps.add(frontMatterLine(fmText, "id"), "id %q must be non-empty, at most 200 characters, without spaces or any of #?\\\"<>; page skipped", id)
		return nil
	}
	secs := splitSections(string(body), bodyLine)
	if len(secs) > MaxPagePassages {
		ps.add(bodyLine, "page has %d sections; they are indexed as %d passages of several sections each — split the page to answer from each section on its own",
			len(secs)-1, MaxPagePassages)
		secs = mergeSections(secs, MaxPagePassages)
	}
	title := strings.TrimSpace(fm.Title)
	if title == "" && secs[0].h1 != "" {
		title = secs[0].h1
	}
	if title == "" {
		title = path.Base(id)
	}
	url := strings.TrimSpace(fm.URL)
	if url == "" {
		url = DocURL(id, aud)
	}
	var docs []Document
	used := map[string]int{}
	for i, s := range secs {
		text := strings.TrimSpace(s.text)
		if text == "" {
			continue
		}
		d := Document{
			Kind: bot.KindPage, Audience: aud, Tags: fm.Tags, Intents: fm.Intents,
			Source: name, Line: s.line, Body: text,
			SourceURL: strings.TrimSpace(fm.SourceURL), SourceFile: strings.TrimSpace(fm.SourceFile),
		}
		if i == 0 {
			d.ID, d.Title, d.URL = id, title, url
		} else {
			sl := slug(s.heading)
			used[sl]++
			if n := used[sl]; n > 1 {
				sl = fmt.Sprintf("%s-%d", sl, n)
			}
			d.ID = id + "#" + sl
			d.Title = title + titleSep + s.heading
			d.Section = s.heading
			d.URL = url + "#" + sl
		}
		d.Lang = finishLang(lang, title+" "+text)
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		ps.add(bodyLine, "page has no text after its front matter")
	}
	withOutline(docs)
	return docs
}

// outlineRunes is the length up to which a page's opening passage counts as
// an introduction: a sentence or two ("We want you to be happy with every
// tea. If something isn't right, here is how returns work.").
const outlineRunes = 200

// outlineMax is how many section headings an outline lists at most.
const outlineMax = 8

// withOutline makes the answer of a page's opening passage, when it is an
// introduction (outlineRunes or shorter) to two or more sections, the
// introduction followed by a list of the section headings (the reply cites
// the page, whose link leads to them): sent "退货怎么退", a
// customer otherwise gets only "请参考以下退换货说明" and nothing below it.
// The passage is searched by its own text as before; only what it answers
// with changes. docs are one page's passages, the opening first when it
// has text.
func withOutline(docs []Document) {
	if len(docs) < 3 || docs[0].Section != "" || utf8.RuneCountInString(docs[0].Body) > outlineRunes {
		return
	}
	var b strings.Builder
	b.WriteString(docs[0].Body)
	b.WriteString("\n")
	for i, d := range docs[1:] {
		if i == outlineMax {
			b.WriteString("\n- …")
			break
		}
		b.WriteString("\n- " + d.Section)
	}
	docs[0].Answer = b.String()
}

// frontMatterLine finds the file line of a top-level key in front matter
// text (which starts on file line 2), or 1 when absent.
func frontMatterLine(fm []byte, key string) int {
	for i, l := range strings.Split(string(fm), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), key+":") {
			return i + 2
		}
	}
	return 1
}

// MaxPagePassages is the most passages one page becomes. A page of
// thousands of tiny sections (a generated file, an export) would otherwise
// become as many documents, and memory with them.
const MaxPagePassages = 500

// mergeSections joins runs of consecutive sections so that there are at
// most n: the first section (the page's opening) stays alone, the rest are
// grouped evenly, each group under its first heading with the others' as
// lines of its text.
func mergeSections(secs []section, n int) []section {
	rest := secs[1:]
	per := (len(rest) + n - 2) / (n - 1)
	out := []section{secs[0]}
	for i := 0; i < len(rest); i += per {
		g := rest[i:min(i+per, len(rest))]
		m := g[0]
		var b strings.Builder
		b.WriteString(m.text)
		for _, x := range g[1:] {
			b.WriteString("\n\n## " + x.heading + "\n\n" + x.text)
		}
		m.text = b.String()
		out = append(out, m)
	}
	return out
}

// section is a part of a page: the text before the first "##" heading
// (heading empty) or one "##" heading and the text under it.
type section struct {
	heading string
	h1      string // the page's "#" heading when found in the first section
	text    string
	line    int
}

// splitSections splits Markdown at level-2 headings, outside fenced code.
// The first section always exists (it may be empty).
func splitSections(body string, firstLine int) []section {
	secs := []section{{line: firstLine}}
	var b strings.Builder
	fence := ""
	flush := func() { secs[len(secs)-1].text = b.String(); b.Reset() }
	for i, l := range strings.SplitAfter(body, "\n") {
		t := strings.TrimSpace(l)
		if fence == "" && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")) {
			fence = t[:3]
		} else if fence != "" && strings.HasPrefix(t, fence) {
			fence = ""
		} else if fence == "" && strings.HasPrefix(t, "## ") {
			flush()
			secs = append(secs, section{heading: strings.TrimSpace(strings.Trim(t[3:], "# ")), line: firstLine + i})
			continue
		} else if fence == "" && strings.HasPrefix(t, "# ") && len(secs) == 1 && secs[0].h1 == "" {
			secs[0].h1 = strings.TrimSpace(strings.Trim(t[2:], "# "))
			continue
		}
		b.WriteString(l)
	}
	flush()
	return secs
}

// titleSep joins a page's title and a section's heading in the title of the
// section's passage.
const titleSep = " — "
