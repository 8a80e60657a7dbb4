// Package importer turns a company's existing documents — web pages (one
// URL, a sitemap, or a bounded crawl), PDF, DOCX, HTML and plain-text files —
// into Markdown pages with front matter in a knowledge content directory,
// so that retrieval and citations work on them as on hand-written pages.
//
// Every converter produces a Page: a title, a language, and a Markdown body
// whose "##" headings come from the document's own headings (the loader
// splits pages into passages there) and whose tables are Markdown tables.
// The content directory is written through a Writer, which compares a hash
// of each page's content with the hash in the file already there and
// rewrites only what changed, so a re-import of unchanged sources touches no
// file and causes no reindex. Pages it did not write (hand-written ones) are
// never overwritten.
//
// Fetching from the web goes through a Fetcher: same hosts as named, robots.txt
// honoured, a User-Agent, bounded pages, bytes, depth and time, a politeness
// delay, and no connection to a private or loopback address the user did not
// name (checked on the resolved address at dial time). Sync re-imports
// configured sources on a schedule and removes pages whose source is gone
// after a grace period.
//
// Malformed input never stops an import: each bad source becomes a Failure
// naming it, with a reason a person can act on.
package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/concierge-bot/concierge/internal/texts"
)

// Page is one imported document, ready to be written as a Markdown page.
type Page struct {
	// ID is the page's document id (and, with ".md", its file path in the
	// content directory): slash-separated, lower-case slugs.
	ID    string
	Title string
	// Audience is "public" or "internal".
	Audience string
	// Lang is "en", "zh" or "" (unknown).
	Lang string
	// SourceURL or SourceFile names where the page came from.
	SourceURL  string
	SourceFile string
	// Body is Markdown: an optional introduction, then "## " sections.
	Body string
}

// Hash is the content hash written in the page's front matter: it covers
// everything the page holds except the import time, so an unchanged source
// gives the same hash on every import.
func (p Page) Hash() string {
	h := sha256.New()
	for _, s := range []string{p.ID, p.Title, p.Audience, p.Lang, p.SourceURL, p.SourceFile, p.Body} {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:32]
}

// frontMatter is what Markdown writes before the body, in this order.
type frontMatter struct {
	ID         string `yaml:"id"`
	Title      string `yaml:"title"`
	Audience   string `yaml:"audience"`
	Lang       string `yaml:"lang,omitempty"`
	SourceURL  string `yaml:"source_url,omitempty"`
	SourceFile string `yaml:"source_file,omitempty"`
	Imported   string `yaml:"imported"`
	Hash       string `yaml:"hash"`
}

// Markdown renders the page as a content file: YAML front matter (id,
// title, audience, lang, source_url or source_file, imported, hash) and the
// body.
func (p Page) Markdown(imported time.Time) []byte {
	fm := frontMatter{ID: p.ID, Title: p.Title, Audience: p.Audience, Lang: p.Lang,
		SourceURL: p.SourceURL, SourceFile: p.SourceFile,
		Imported: imported.UTC().Format(time.RFC3339), Hash: p.Hash()}
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	_ = enc.Encode(fm) // plain strings: cannot fail
	_ = enc.Close()
	b.WriteString("---\n\n")
	b.WriteString(strings.TrimSpace(p.Body))
	b.WriteString("\n")
	return b.Bytes()
}

// readFrontMatter returns the front matter of an existing content file, and
// whether it has one.
func readFrontMatter(data []byte) (frontMatter, bool) {
	var fm frontMatter
	if !bytes.HasPrefix(data, []byte("---\n")) {
		return fm, false
	}
	end := bytes.Index(data[4:], []byte("\n---\n"))
	if end < 0 {
		return fm, false
	}
	if err := yaml.Unmarshal(data[4:4+end+1], &fm); err != nil {
		return fm, false
	}
	return fm, true
}

// finish fills what every converter leaves to the import: language (a
// forced one, or detected), audience, a title, and clean Markdown.
func (p *Page) finish(o convertOptions) {
	p.Body = cleanMarkdown(p.Body)
	p.Title = oneLine(p.Title)
	if p.Title == "" {
		p.Title = firstWords(p.Body, 80)
	}
	if p.Title == "" {
		p.Title = p.ID
	}
	switch o.Lang {
	case "en", "zh":
		p.Lang = o.Lang
	default:
		if p.Lang == "" || o.Lang == "auto" {
			p.Lang = detectLang(p.Title + "\n" + p.Body)
		}
	}
	p.Audience = o.Audience
}

// detectLang says "zh" when a fifth or more of the letters are Han, "en"
// when there are Latin letters, else "".
func detectLang(s string) string {
	han, letters := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
			letters++
		case unicode.IsLetter(r):
			letters++
		}
	}
	switch {
	case letters == 0:
		return ""
	case han*5 >= letters:
		return "zh"
	}
	return "en"
}

var (
	manyBlankLines = regexp.MustCompile(`\n{3,}`)
	atxHeading     = regexp.MustCompile(`^(#{1,6})[ \t]+(.*?)[ \t#]*$`)
)

// cleanMarkdown trims trailing spaces and runs of blank lines, drops
// invalid UTF-8 and control characters, and turns the document's heading
// levels into the page format: the highest level used becomes "##" (a
// section), the next "###", and so on.
func cleanMarkdown(md string) string {
	md = strings.ToValidUTF8(md, "")
	md = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r == '\u00a0' {
			return ' '
		}
		if unicode.IsControl(r) || r == '\ufeff' {
			return -1
		}
		return r
	}, md)
	lines := strings.Split(md, "\n")
	top := 7
	fence := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = !fence
			continue
		}
		if m := atxHeading.FindStringSubmatch(l); !fence && m != nil && strings.TrimSpace(m[2]) != "" {
			top = min(top, len(m[1]))
		}
	}
	fence = false
	for i, l := range lines {
		l = strings.TrimRight(l, " \t")
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = !fence
		} else if m := atxHeading.FindStringSubmatch(l); !fence && m != nil {
			text := oneLine(m[2])
			if text == "" {
				l = ""
			} else {
				level := min(2+len(m[1])-top, 6)
				l = strings.Repeat("#", level) + " " + text
			}
		}
		lines[i] = l
	}
	for n := -1; n != len(lines); {
		n = len(lines)
		lines = dropEmptySections(lines)
	}
	md = strings.Join(lines, "\n")
	md = manyBlankLines.ReplaceAllString(md, "\n\n")
	return strings.TrimSpace(md)
}

// dropEmptySections removes headings with nothing under them: followed,
// blank lines aside, by a heading of the same or a higher level, or by the
// end. (The loader skips an empty section; a page of nothing else would be
// a page without text.)
func dropEmptySections(lines []string) []string {
	level := func(l string) int {
		if m := atxHeading.FindStringSubmatch(l); m != nil {
			return len(m[1])
		}
		return 0
	}
	out := make([]string, 0, len(lines))
	fence := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = !fence
		}
		if lv := level(l); !fence && lv > 0 {
			empty := true
			for _, n := range lines[i+1:] {
				if strings.TrimSpace(n) == "" {
					continue
				}
				if nl := level(n); nl == 0 || nl > lv {
					empty = false
				}
				break
			}
			if empty {
				continue
			}
		}
		out = append(out, l)
	}
	return out
}

// oneLine collapses white space, newlines included, to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// firstWords returns the first line of text in md that is not a heading
// mark or table, cut to at most n runes at a word boundary.
func firstWords(md string, n int) string {
	for _, l := range strings.Split(md, "\n") {
		l = strings.TrimSpace(strings.TrimLeft(l, "#>*- |"))
		if l == "" {
			continue
		}
		if utf8.RuneCountInString(l) <= n {
			return l
		}
		r := []rune(l)[:n]
		if i := strings.LastIndexByte(string(r), ' '); i > n/2 {
			return strings.TrimSpace(string(r)[:i]) + "…"
		}
		return string(r) + "…"
	}
	return ""
}

// slugPart turns one part of a path or URL into an id part: lower-case
// letters and digits of any script, with single hyphens; dots are kept
// after letters (so "v1.2" stays; texts.SlugKeepDots). Leading and
// trailing dots and hyphens are trimmed and the part is capped at 60
// characters; "" when nothing is left.
func slugPart(s string) string {
	out := strings.Trim(texts.SlugKeepDots(s), ".-")
	if utf8.RuneCountInString(out) > 60 {
		out = strings.Trim(string([]rune(out)[:60]), ".-")
	}
	return out
}

// idFromPath makes a page id from slash-separated parts, dropping empty
// ones; "index" when nothing is left.
func idFromPath(parts ...string) string {
	var out []string
	for _, p := range parts {
		for _, seg := range strings.Split(p, "/") {
			if s := slugPart(seg); s != "" {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return "index"
	}
	id := strings.Join(out, "/")
	if len(id) > 180 { // the loader accepts ids up to 200 characters
		sum := sha256.Sum256([]byte(id))
		id = strings.TrimRight(id[:160], "/-.") + "-" + hex.EncodeToString(sum[:4])
	}
	return id
}

// fileStem is a file name without its folder and extension.
func fileStem(name string) string {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	return strings.TrimSuffix(base, path.Ext(base))
}

// mdEscapeCell escapes text for a Markdown table cell: one line, pipes
// escaped.
func mdEscapeCell(s string) string {
	s = oneLine(s)
	return strings.ReplaceAll(s, "|", `\|`)
}

// mdTable renders rows as a Markdown table with the first row as header.
// Rows are padded to the widest.
func mdTable(rows [][]string) string {
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	if width == 0 || len(rows) == 0 {
		return ""
	}
	var b strings.Builder
	row := func(r []string) {
		b.WriteString("|")
		for i := range width {
			c := ""
			if i < len(r) {
				c = mdEscapeCell(r[i])
			}
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
	row(rows[0])
	b.WriteString("|")
	for range width {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range rows[1:] {
		row(r)
	}
	return b.String()
}

// mdEscapeLine keeps a line of plain text from being read as Markdown
// structure at its start (a heading, list, quote or table).
func mdEscapeLine(s string) string {
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return t
	}
	switch t[0] {
	case '#', '>', '|', '=':
		return `\` + t
	}
	return t
}
