package importer

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

// The PDF fixtures in testdata are made by two different producers, as
// real PDFs are, by this file's generator:
//
//	go test ./knowledge/importer -run TestWritePDFFixtures -write-pdf
//
// manual-en.pdf with go-pdf/fpdf (core Helvetica: single-byte text with
// known widths), manual-zh.pdf by headless Chromium printing the same
// document as HTML (Identity-H CID fonts, each glyph placed on its own;
// Debian's fonts-wqy-zenhei for the Chinese). They are committed so that the
// tests need neither the browser nor the font.
var writePDF = flag.Bool("write-pdf", false, "rewrite testdata/*.pdf")

// fixtureDoc is a document with headings, paragraphs and one table, from
// which both the PDF and the DOCX fixtures are made.
type fixtureDoc struct {
	Title    string
	Sections []fixtureSection
}

type fixtureSection struct {
	Heading string
	Paras   []string
	Table   [][]string
}

var manualEN = fixtureDoc{
	Title: "KT-200 Electric Tea Kettle User Guide",
	Sections: []fixtureSection{
		{Heading: "Safety instructions", Paras: []string{
			"Never immerse the kettle or its power base in water or any other liquid. Keep the power cord away from hot surfaces and out of reach of children.",
			"Unplug the base before cleaning it, and only use the kettle with the base supplied.",
		}},
		{Heading: "Filling and boiling", Paras: []string{
			"Fill the kettle with fresh cold water between the MIN mark (0.5 litre) and the MAX mark (1.7 litres). Never boil it empty.",
			"Press the power switch: the light turns blue while the water heats and the kettle switches itself off when it boils.",
		}},
		{Heading: "Temperature presets", Paras: []string{
			"Hold the tea button to choose a preset; the kettle keeps the water at that temperature for thirty minutes.",
		}, Table: [][]string{
			{"Tea", "Temperature", "Steeping time"},
			{"Green tea", "80 C", "2 minutes"},
			{"White tea", "85 C", "3 minutes"},
			{"Oolong tea", "95 C", "3 minutes"},
			{"Black tea", "100 C", "4 minutes"},
		}},
		{Heading: "Descaling", Paras: []string{
			"Descale the kettle every four weeks in hard-water areas. Fill it with equal parts water and white vinegar, boil, leave it overnight, then rinse three times with fresh water.",
		}},
		{Heading: "Warranty", Paras: []string{
			"The kettle carries a two-year warranty from the date of purchase; keep your receipt. The warranty does not cover damage caused by limescale or by dropping the kettle.",
		}},
	},
}

var manualZH = fixtureDoc{
	Title: "紫砂壶使用与保养指南",
	Sections: []fixtureSection{
		{Heading: "开壶方法", Paras: []string{
			"新壶第一次使用前，先用清水把壶里外冲洗干净，再放入锅中用清水小火煮沸三十分钟，去除泥土味，自然冷却后取出晾干。",
		}},
		{Heading: "日常清洁", Paras: []string{
			"每次泡茶后及时倒掉茶渣，用热水冲洗壶身和壶盖。请不要使用洗洁精或钢丝球，以免破坏壶的表面。",
		}},
		{Heading: "冲泡参数", Paras: []string{
			"不同茶类需要不同的水温和投茶量，请参考下表。",
		}, Table: [][]string{
			{"茶类", "水温", "投茶量"},
			{"绿茶", "80度", "3克"},
			{"乌龙茶", "95度", "7克"},
			{"普洱茶", "100度", "8克"},
		}},
		{Heading: "存放注意", Paras: []string{
			"壶身完全晾干后再存放，壶盖与壶身分开放置，避免放在潮湿或有异味的地方。",
		}},
		{Heading: "退换政策", Paras: []string{
			"收货七天内，如发现壶身有裂纹或破损，可免费换新，请保留原包装和发票。",
		}},
	},
}

// TestWritePDFFixtures regenerates testdata/manual-en.pdf and
// testdata/manual-zh.pdf (only with -write-pdf).
func TestWritePDFFixtures(t *testing.T) {
	if !*writePDF {
		t.Skip("run with -write-pdf to regenerate the PDF fixtures")
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.SetTitle(manualEN.Title, true)
	pdf.SetCreator("concierge importer tests", true)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 22)
	pdf.MultiCell(0, 11, manualEN.Title, "", "L", false)
	pdf.Ln(4)
	for _, s := range manualEN.Sections {
		pdf.SetFont("Helvetica", "B", 15)
		pdf.MultiCell(0, 8, s.Heading, "", "L", false)
		pdf.Ln(2)
		pdf.SetFont("Helvetica", "", 11)
		for _, p := range s.Paras {
			pdf.MultiCell(0, 5.5, p, "", "L", false)
			pdf.Ln(3)
		}
		for _, row := range s.Table {
			for _, c := range row {
				pdf.CellFormat(50, 7, c, "1", 0, "L", false, 0, "")
			}
			pdf.Ln(-1)
		}
		if s.Table != nil {
			pdf.Ln(4)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "manual-en.pdf"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	page := filepath.Join(t.TempDir(), "manual-zh.html")
	if err := os.WriteFile(page, []byte(htmlOf(manualZH, "zh")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := filepath.Abs(filepath.Join("testdata", "manual-zh.pdf"))
	cmd := exec.Command("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		"--print-to-pdf="+out, page)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, b)
	}
}

// htmlOf renders d as an HTML page, with navigation and a footer around
// the article (boilerplate the importer must drop).
func htmlOf(d fixtureDoc, lang string) string {
	esc := html.EscapeString
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="` + lang + `"><head><meta charset="utf-8"><title>` + esc(d.Title) + `</title>`)
	b.WriteString(`<style>body{font-family:"WenQuanYi Zen Hei",sans-serif;font-size:11pt}h1{font-size:22pt}h2{font-size:15pt}` +
		`td,th{border:1px solid #000;padding:4px 10px;text-align:left}</style></head><body>`)
	b.WriteString(`<article><h1>` + esc(d.Title) + `</h1>`)
	for _, s := range d.Sections {
		b.WriteString(`<h2>` + esc(s.Heading) + `</h2>`)
		for _, p := range s.Paras {
			b.WriteString(`<p>` + esc(p) + `</p>`)
		}
		if s.Table != nil {
			b.WriteString(`<table>`)
			for i, r := range s.Table {
				b.WriteString(`<tr>`)
				for _, c := range r {
					if i == 0 {
						b.WriteString(`<th>` + esc(c) + `</th>`)
					} else {
						b.WriteString(`<td>` + esc(c) + `</td>`)
					}
				}
				b.WriteString(`</tr>`)
			}
			b.WriteString(`</table>`)
		}
	}
	b.WriteString(`</article></body></html>`)
	return b.String()
}

// docxOf builds a Word document of d: a zip of the XML parts a DOCX needs,
// with the Title and "Heading 1" styles and a table.
func docxOf(t testing.TB, d fixtureDoc) []byte {
	t.Helper()
	esc := func(s string) string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	para := func(style, text string) string {
		ppr := ""
		if style != "" {
			ppr = `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`
		}
		return `<w:p>` + ppr + `<w:r><w:t xml:space="preserve">` + esc(text) + `</w:t></w:r></w:p>`
	}
	var body strings.Builder
	body.WriteString(para("Title", d.Title))
	for _, s := range d.Sections {
		body.WriteString(para("Heading1", s.Heading))
		for _, p := range s.Paras {
			body.WriteString(para("", p))
		}
		if s.Table != nil {
			body.WriteString("<w:tbl>")
			for _, r := range s.Table {
				body.WriteString("<w:tr>")
				for _, c := range r {
					body.WriteString("<w:tc>" + para("", c) + "</w:tc>")
				}
				body.WriteString("</w:tr>")
			}
			body.WriteString("</w:tbl>")
		}
	}
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
			body.String() + `</w:body></w:document>`,
		"word/styles.xml": `<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
			`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>` +
			`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>` +
			`</w:styles>`,
	}
	return zipOf(t, parts)
}

func zipOf(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "word/document.xml", "word/styles.xml", "docProps/core.xml"} {
		body, ok := parts[name]
		if !ok {
			continue
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
