package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// maxPDFPages bounds the pages read of one PDF.
const maxPDFPages = 2000

// pdfLine is one line of text on a PDF page, split into runs where the
// text jumps ahead (table cells, columns).
type pdfLine struct {
	page int
	y    float64
	size float64
	bold bool
	runs []pdfRun
}

type pdfRun struct {
	x    float64
	text strings.Builder
}

func (l *pdfLine) text() string {
	var parts []string
	for i := range l.runs {
		if t := strings.TrimSpace(l.runs[i].text.String()); t != "" {
			parts = append(parts, t)
		}
	}
	return joinText(parts)
}

func (l *pdfLine) cells() []string {
	var out []string
	for i := range l.runs {
		out = append(out, strings.TrimSpace(l.runs[i].text.String()))
	}
	return out
}

// joinText joins pieces of text with a space, except between two
// characters of Chinese (or Japanese) script.
func joinText(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			last, _ := utf8.DecodeLastRuneInString(b.String())
			first, _ := utf8.DecodeRuneInString(p)
			if !(isCJK(last) && isCJK(first)) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// fromPDF reads the text layer of a PDF with ledongthuc/pdf and rebuilds
// its structure from the layout: lines in larger (or bold) type are
// headings, rows of text whose cells line up are tables, the rest are
// paragraphs. A PDF without a text layer (a scan) has no text.
func fromPDF(ctx context.Context, data []byte) (Page, error) {
	head := data[:min(len(data), 1024)]
	if !bytes.Contains(head, []byte("%PDF-")) {
		return Page{}, errors.New("not a PDF file (it has no %PDF header)")
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Page{}, fmt.Errorf("not a readable PDF (%s); it may be truncated, damaged or encrypted", strings.ReplaceAll(firstLine(err.Error()), "%%", "%"))
	}
	var title string
	func() {
		defer func() { _ = recover() }()
		title = oneLine(r.Trailer().Key("Info").Key("Title").Text())
	}()
	n := r.NumPage()
	if n <= 0 {
		return Page{}, errors.New("PDF has no pages")
	}
	if n > maxPDFPages {
		return Page{}, fmt.Errorf("PDF has %d pages; the limit is %d", n, maxPDFPages)
	}
	var lines []*pdfLine
	bad := 0
	var firstErr error
	for i := 1; i <= n; i++ {
		if err := ctx.Err(); err != nil {
			return Page{}, err
		}
		pl, err := pageLines(r, i)
		if err != nil {
			bad++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		lines = append(lines, pl...)
	}
	if bad == n {
		return Page{}, fmt.Errorf("no page of the PDF could be read (%s)", firstLine(firstErr.Error()))
	}
	body, h1 := layoutPDF(lines)
	if title == "" || strings.EqualFold(title, "untitled") {
		title = h1
	}
	return Page{Title: title, Body: body}, nil
}

// pageLines reads the text of one page as lines, top to bottom.
func pageLines(r *pdf.Reader, num int) (lines []*pdfLine, err error) {
	defer func() {
		if v := recover(); v != nil {
			lines, err = nil, fmt.Errorf("page %d is malformed: %v", num, v)
		}
	}()
	p := r.Page(num)
	if p.V.IsNull() {
		return nil, fmt.Errorf("page %d is missing", num)
	}
	var cur *pdfLine
	var prev pdf.Text
	for _, t := range p.Content().Text {
		if t.S == "" || math.IsNaN(t.X) || math.IsNaN(t.Y) {
			continue
		}
		size := math.Abs(t.FontSize)
		if size < 1 {
			size = 1
		}
		if cur == nil || math.Abs(t.Y-cur.y) > size*0.5 {
			cur = &pdfLine{page: num, y: t.Y, size: size, bold: true}
			lines = append(lines, cur)
			cur.runs = append(cur.runs, pdfRun{x: t.X})
		} else {
			gap := t.X - (prev.X + prev.W)
			newRun := false
			if prev.W > 0 {
				newRun = gap > size*0.9 || gap < -size*2
			} else {
				// Widths unknown (a CID font: Chrome and most modern
				// producers): each glyph is placed on its own, so the step
				// from the last glyph is its advance; a step wider than a
				// full-width glyph is a gap between cells or columns.
				step := t.X - prev.X
				newRun = step > size*1.25 || step < -size*0.1
			}
			if newRun {
				cur.runs = append(cur.runs, pdfRun{x: t.X})
			}
		}
		if strings.TrimSpace(t.S) != "" {
			cur.size = max(cur.size, size)
			if !isBoldFont(t.Font) {
				cur.bold = false
			}
		}
		cur.runs[len(cur.runs)-1].text.WriteString(t.S)
		prev = t
	}
	// Drop empty lines and lone page numbers.
	out := lines[:0]
	for _, l := range lines {
		txt := l.text()
		if txt == "" || strings.Trim(txt, "0123456789-–— /") == "" {
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

func isBoldFont(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "bold") || strings.Contains(n, "black") || strings.Contains(n, "heavy")
}

// layoutPDF turns lines into Markdown and returns the text of the first
// top-level heading (the title candidate), which is not repeated in the
// body.
func layoutPDF(lines []*pdfLine) (md, title string) {
	if len(lines) == 0 {
		return "", ""
	}
	// The body size is the size most of the text is set in.
	weight := map[float64]int{}
	for _, l := range lines {
		weight[round1(l.size)] += utf8.RuneCountInString(l.text())
	}
	body, best := 0.0, -1
	for s, w := range weight {
		if w > best || (w == best && s < body) {
			body, best = s, w
		}
	}
	isTable := tableLines(lines)
	heading := func(i int) bool {
		l := lines[i]
		if isTable[i] {
			return false
		}
		txt := l.text()
		n := utf8.RuneCountInString(txt)
		if n == 0 || n > 120 {
			return false
		}
		if l.size >= body*1.15 {
			return true
		}
		last, _ := utf8.DecodeLastRuneInString(txt)
		return l.bold && n <= 80 && !strings.ContainsRune(".:;,。：；，", last)
	}
	// Heading sizes, largest first, give the levels.
	var sizes []float64
	seen := map[float64]bool{}
	for i, l := range lines {
		if heading(i) && !seen[round1(l.size)] {
			seen[round1(l.size)] = true
			sizes = append(sizes, round1(l.size))
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(sizes)))
	level := func(size float64) int {
		for i, s := range sizes {
			if s == round1(size) {
				return i + 1
			}
		}
		return len(sizes)
	}
	var b strings.Builder
	var para []string
	flush := func() {
		if len(para) > 0 {
			b.WriteString(mdEscapeLine(joinText(para)) + "\n\n")
			para = nil
		}
	}
	titleDone := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case isTable[i]:
			flush()
			var rows [][]string
			for ; i < len(lines) && isTable[i]; i++ {
				rows = append(rows, lines[i].cells())
			}
			i--
			b.WriteString(mdTable(rows) + "\n")
		case heading(i):
			flush()
			txt := l.text()
			// Headings set over two lines: join the next line in the same type.
			for i+1 < len(lines) && heading(i+1) && round1(lines[i+1].size) == round1(l.size) &&
				lines[i+1].page == l.page && l.y-lines[i+1].y < l.size*1.6 && len(sizes) > 0 && level(l.size) == 1 {
				i++
				txt = joinText([]string{txt, lines[i].text()})
			}
			lv := level(l.size)
			if !titleDone && lv == 1 && title == "" && len(sizes) > 1 {
				title, titleDone = txt, true
				continue
			}
			titleDone = true
			b.WriteString(strings.Repeat("#", min(lv+1, 6)) + " " + txt + "\n\n")
		default:
			titleDone = true
			if len(para) > 0 {
				prev := lines[i-1]
				gap := prev.y - l.y
				if prev.page != l.page || gap > prev.size*1.9 || gap < 0 {
					flush()
				}
			}
			para = append(para, l.text())
		}
	}
	flush()
	return b.String(), title
}

// tableLines marks the lines that are rows of a table: two or more lines in
// a row, each with at least two runs, whose runs start at the same places.
func tableLines(lines []*pdfLine) []bool {
	out := make([]bool, len(lines))
	aligned := func(a, b *pdfLine) bool {
		if len(a.runs) < 2 || len(a.runs) != len(b.runs) || a.page != b.page {
			return false
		}
		for i := range a.runs {
			if math.Abs(a.runs[i].x-b.runs[i].x) > 4 {
				return false
			}
		}
		return true
	}
	for i := 0; i+1 < len(lines); i++ {
		if aligned(lines[i], lines[i+1]) {
			out[i], out[i+1] = true, true
		}
	}
	return out
}

func round1(f float64) float64 { return math.Round(f*2) / 2 }
