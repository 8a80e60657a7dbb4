package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/knowledge"
)

// sectionsOf returns the "## " headings of a page body.
func sectionsOf(body string) []string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if h, ok := strings.CutPrefix(l, "## "); ok {
			out = append(out, h)
		}
	}
	return out
}

func headingsOf(d fixtureDoc) []string {
	var out []string
	for _, s := range d.Sections {
		out = append(out, s.Heading)
	}
	return out
}

// TestConvertStructure checks that PDF (two producers) and DOCX keep the
// title, every heading as a section and the table as a Markdown table.
func TestConvertStructure(t *testing.T) {
	en, _ := os.ReadFile("testdata/manual-en.pdf")
	zh, _ := os.ReadFile("testdata/manual-zh.pdf")
	cases := []struct {
		name   string
		format Format
		data   []byte
		doc    fixtureDoc
		table  string
		lang   string
	}{
		{"pdf-en (fpdf)", FormatPDF, en, manualEN, "| Oolong tea | 95 C | 3 minutes |", "en"},
		{"pdf-zh (chromium)", FormatPDF, zh, manualZH, "| 普洱茶 | 100度 | 8克 |", "zh"},
		{"docx-en", FormatDOCX, docxOf(t, manualEN), manualEN, "| Oolong tea | 95 C | 3 minutes |", "en"},
		{"docx-zh", FormatDOCX, docxOf(t, manualZH), manualZH, "| 普洱茶 | 100度 | 8克 |", "zh"},
		{"html-zh", FormatHTML, []byte(htmlOf(manualZH, "zh")), manualZH, "| 普洱茶 | 100度 | 8克 |", "zh"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Convert(context.Background(), c.format, c.data, convertOptions{Lang: "auto"})
			if err != nil {
				t.Fatal(err)
			}
			if p.Title != c.doc.Title || p.Lang != c.lang {
				t.Errorf("title %q lang %q, want %q %q", p.Title, p.Lang, c.doc.Title, c.lang)
			}
			if got, want := strings.Join(sectionsOf(p.Body), " / "), strings.Join(headingsOf(c.doc), " / "); got != want {
				t.Errorf("sections:\n got %s\nwant %s\n%s", got, want, p.Body)
			}
			if !strings.Contains(strings.Join(strings.Fields(p.Body), " "), c.table) {
				t.Errorf("no table row %q in:\n%s", c.table, p.Body)
			}
		})
	}
}

// pdfQuestions are the fixture questions of the PDF manuals and the
// section that answers each.
var pdfQuestions = []struct{ q, want string }{
	{"How often should I descale the kettle?", "manual-en#descaling"},
	{"What water temperature for oolong tea?", "manual-en#temperature-presets"},
	{"How long is the kettle warranty?", "manual-en#warranty"},
	{"How much water does the kettle hold?", "manual-en#filling-and-boiling"},
	{"Can I put the kettle base in water?", "manual-en#safety-instructions"},
	{"新紫砂壶第一次怎么用？", "manual-zh#开壶方法"},
	{"紫砂壶可以用洗洁精洗吗？", "manual-zh#日常清洁"},
	{"泡普洱茶用多少度的水？", "manual-zh#冲泡参数"},
	{"紫砂壶应该怎么存放？", "manual-zh#存放注意"},
	{"壶身有裂纹可以换吗？", "manual-zh#退换政策"},
}

// TestPDFRetrieval imports the two PDF manuals and asks the fixture
// questions of the knowledge index: the right section comes first for at
// least 9 of 10.
func TestPDFRetrieval(t *testing.T) {
	dir := t.TempDir()
	sum, err := Import(context.Background(), "testdata", Options{Into: dir, Lang: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Added) != 2 || len(sum.Failed) != 0 {
		t.Fatalf("import of testdata: %s %v", sum, sum.Failed)
	}
	docs, problems, err := knowledge.Load(os.DirFS(dir))
	if err != nil || len(problems) > 0 {
		t.Fatalf("load: %v %v", err, problems)
	}
	ix, err := knowledge.Build(context.Background(), filepath.Join(t.TempDir(), "ix"), docs, knowledge.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	right := 0
	for _, q := range pdfQuestions {
		hits, err := ix.Retrieve(context.Background(), bot.Query{Text: q.q, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(hits) > 0 {
			got = hits[0].ID
		}
		if got == q.want {
			right++
		} else {
			t.Logf("%q: top hit %q, want %q", q.q, got, q.want)
		}
	}
	t.Logf("PDF retrieval: the right section first for %d of %d fixture questions", right, len(pdfQuestions))
	if right < 9 {
		t.Errorf("right section first for %d of %d questions, want at least 9", right, len(pdfQuestions))
	}
}

// malformed is the corpus of broken inputs: each must give an error
// naming what is wrong (or a page), never a panic or a hang.
func malformed(t testing.TB) map[string]struct {
	name string
	data []byte
} {
	en, _ := os.ReadFile("testdata/manual-en.pdf")
	zh, _ := os.ReadFile("testdata/manual-zh.pdf")
	docx := docxOf(t, manualEN)
	out := map[string]struct {
		name string
		data []byte
	}{}
	add := func(label, name string, data []byte) {
		out[label] = struct {
			name string
			data []byte
		}{name, data}
	}
	for _, frac := range []int{1, 10, 25, 50, 75, 90, 99} {
		add(fmt.Sprintf("pdf-en truncated at %d%%", frac), "t.pdf", en[:len(en)*frac/100])
		add(fmt.Sprintf("pdf-zh truncated at %d%%", frac), "t.pdf", zh[:len(zh)*frac/100])
	}
	add("pdf header only", "h.pdf", []byte("%PDF-1.7\n"))
	add("pdf with garbage xref", "g.pdf", append(append([]byte{}, en[:len(en)-200]...), []byte("xref\n0 99999999\ntrailer<</Size -1/Root 1 0 R>>startxref\n5\n%%EOF")...))
	add("pdf bytes flipped", "f.pdf", flip(en, 7))
	add("pdf self-referencing pages", "loop.pdf", []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[2 0 R]/Count 1>>endobj\ntrailer<</Root 1 0 R/Size 3>>\n%%EOF"))
	for _, frac := range []int{10, 50, 90} {
		add(fmt.Sprintf("docx truncated at %d%%", frac), "t.docx", docx[:len(docx)*frac/100])
	}
	add("docx zip bomb", "bomb.docx", zipBomb(t))
	add("docx without document.xml", "empty.docx", zipOf(t, map[string]string{"[Content_Types].xml": "<Types/>"}))
	add("docx with invalid XML", "bad.docx", zipOf(t, map[string]string{"word/document.xml": "<w:document><w:body><w:p><w:t>unclosed"}))
	add("docx deeply nested tables", "deep.docx", zipOf(t, map[string]string{"word/document.xml": "<w:document xmlns:w=\"w\"><w:body>" +
		strings.Repeat("<w:tbl><w:tr><w:tc>", 5000) + "<w:p><w:t>x</w:t></w:p>" + strings.Repeat("</w:tc></w:tr></w:tbl>", 5000) + "</w:body></w:document>"}))
	add("docx that is a PDF", "pdf.docx", en)
	add("text invalid UTF-8", "bad.txt", []byte("Shipping\n\xff\xfe\xfd broken \xc3\x28 bytes\n"))
	add("text with NUL bytes", "nul.txt", []byte("a\x00b\x00c"))
	add("markdown invalid UTF-8", "bad.md", []byte("# Title\n\n\xe4\xb8 cut\n"))
	add("html invalid UTF-8", "bad.html", []byte("<html><body><h1>T\xff</h1><p>caf\xe9 cr\xe8me br\xfbl\xe9e</p></body></html>"))
	add("html 10 MB page", "big.html", bigPage(10<<20))
	add("html 100k nested divs", "nest.html", []byte(strings.Repeat("<div>", 100_000)+"deep"+strings.Repeat("</div>", 100_000)))
	add("html unclosed tags and garbage", "junk.html", []byte("<html><body><table><tr><td><p><b><i>x<script>alert(1)</scr<<<>>><h2>"))
	add("empty file", "empty.pdf", nil)
	add("random bytes as PDF", "rand.pdf", append([]byte("%PDF-1.5\n"), pseudoRandom(64<<10)...))
	add("random bytes as DOCX", "rand.docx", append([]byte("PK\x03\x04"), pseudoRandom(64<<10)...))
	return out
}

func flip(b []byte, every int) []byte {
	out := append([]byte{}, b...)
	for i := 0; i < len(out); i += every {
		out[i] ^= 0x5a
	}
	return out
}

func pseudoRandom(n int) []byte {
	out := make([]byte, n)
	x := uint32(2463534242)
	for i := range out {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		out[i] = byte(x)
	}
	return out
}

// zipBomb is a DOCX whose document.xml unpacks to 256 MB of zeros (about
// 250 KB packed).
func zipBomb(t testing.TB) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	zero := make([]byte, 1<<20)
	for range 256 {
		_, _ = w.Write(zero)
	}
	_ = zw.Close()
	return buf.Bytes()
}

func bigPage(n int) []byte {
	var b bytes.Buffer
	b.WriteString("<html><body><article><h1>Big</h1>")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "<h2>Part %d</h2><p>%s</p>", i, strings.Repeat("All work and no play makes a long page. ", 40))
	}
	b.WriteString("</article></body></html>")
	return b.Bytes()
}

// TestMalformedInputs imports every malformed input as a file among good
// ones: each gets an error naming it (or imports), none panics or hangs,
// and the good files are imported all the same.
func TestMalformedInputs(t *testing.T) {
	src := t.TempDir()
	cases := malformed(t)
	i := 0
	names := map[string]string{}
	for label, c := range cases {
		i++
		name := fmt.Sprintf("m%02d-%s", i, c.name)
		names[name] = label
		if err := os.WriteFile(filepath.Join(src, name), c.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(src, "zz-good.txt"), []byte("Opening hours\n\nWe are open every day from 10:00 to 20:00.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, err := Import(context.Background(), src, Options{Into: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !contains(sum.Added, "zz-good") {
		t.Errorf("the good file was not imported beside the broken ones: %s", sum)
	}
	failed := map[string]string{}
	for _, f := range sum.Failed {
		base := filepath.Base(f.Source)
		failed[base] = f.Reason
		if names[base] == "" {
			t.Errorf("failure for an unknown source %q", f.Source)
		}
		if f.Reason == "" {
			t.Errorf("%s: no reason given", f.Source)
		}
		t.Logf("%-40s %s", names[base], f.Reason)
	}
	for name, label := range names {
		if _, ok := failed[name]; !ok {
			t.Logf("%-40s imported (what could be read of it)", label)
		}
	}
	t.Logf("malformed inputs: %d, crashed or hung: 0 (the import returned in %s)", len(cases), time.Since(start).Round(time.Millisecond))
	if len(cases) < 30 {
		t.Errorf("only %d malformed inputs, want at least 30", len(cases))
	}
	for _, must := range []string{"bomb.docx", "big.html"} {
		for name, label := range names {
			if strings.HasSuffix(name, must) {
				if _, ok := failed[name]; !ok && must == "bomb.docx" {
					t.Errorf("%s was not refused", label)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// FuzzConvert feeds arbitrary bytes to every converter: no panic, no hang,
// and a page it returns has text and valid front matter.
func FuzzConvert(f *testing.F) {
	en, _ := os.ReadFile("testdata/manual-en.pdf")
	f.Add(en, uint8(0))
	f.Add(docxOf(f, manualZH), uint8(1))
	f.Add([]byte(htmlOf(manualZH, "zh")), uint8(2))
	f.Add([]byte("Title\n=====\n\nText\n\nPart\n----\nmore"), uint8(3))
	f.Add([]byte("---\ntitle: x\n---\n# H\n\n## S\ntext"), uint8(4))
	formats := []Format{FormatPDF, FormatDOCX, FormatHTML, FormatText, FormatMarkdown}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		p, err := Convert(context.Background(), formats[int(which)%len(formats)], data, convertOptions{})
		if err != nil {
			return
		}
		if strings.TrimSpace(p.Body) == "" {
			t.Fatal("a page without text")
		}
		p.ID = "fuzz"
		if _, probs, err := knowledge.Load(fsOf("fuzz.md", p.Markdown(time.Unix(0, 0)))); err != nil || len(probs) > 0 {
			t.Fatalf("the page does not load: %v %v\n%s", err, probs, p.Markdown(time.Unix(0, 0)))
		}
	})
}

// fsOf is a file system holding one file.
func fsOf(name string, data []byte) fstest.MapFS {
	return fstest.MapFS{name: &fstest.MapFile{Data: data}}
}

// TestHTMLInGBK: a Chinese page in GBK, as its <meta> declares, is read
// as the text it is.
func TestHTMLInGBK(t *testing.T) {
	enc, err := simplifiedchinese.GBK.NewEncoder().String(`<html><head><meta charset="gbk"><title>配送说明</title></head><body><main><h1>配送说明</h1><p>当天发货，顺丰快递一到四天送达，满一百九十九元包邮。</p></main></body></html>`)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Convert(context.Background(), FormatHTML, []byte(enc), convertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "配送说明" || !strings.Contains(p.Body, "顺丰快递一到四天送达") || p.Lang != "zh" {
		t.Errorf("GBK page: title %q lang %q body %q", p.Title, p.Lang, p.Body)
	}
}
