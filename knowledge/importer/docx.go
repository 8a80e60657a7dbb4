package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Limits of a DOCX file, against zip bombs.
const (
	maxDOCXFiles     = 2000
	maxDOCXPartBytes = 32 << 20 // uncompressed size of one part read
)

// fromDOCX reads a Word document as what it is, a zip of XML parts
// (archive/zip and encoding/xml of the standard library): paragraphs in a
// "Heading N" style (or with an outline level) become headings, the
// "Title" style or the document's title property the title, tables
// Markdown tables, list paragraphs list items.
func fromDOCX(ctx context.Context, data []byte) (Page, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Page{}, fmt.Errorf("not a readable DOCX file (%s); it may be truncated or not a Word document", err)
	}
	if len(zr.File) > maxDOCXFiles {
		return Page{}, fmt.Errorf("DOCX holds %d files; the limit is %d", len(zr.File), maxDOCXFiles)
	}
	part := func(name string) ([]byte, error) {
		for _, f := range zr.File {
			if f.Name != name {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				return nil, fmt.Errorf("DOCX part %s cannot be opened: %w", name, err)
			}
			defer rc.Close()
			b, err := io.ReadAll(io.LimitReader(rc, maxDOCXPartBytes+1))
			if err != nil {
				return nil, fmt.Errorf("DOCX part %s is damaged: %w", name, err)
			}
			if len(b) > maxDOCXPartBytes {
				return nil, fmt.Errorf("DOCX part %s unpacks to more than %d MB (a zip bomb?)", name, maxDOCXPartBytes>>20)
			}
			return b, nil
		}
		return nil, nil
	}
	doc, err := part("word/document.xml")
	if err != nil {
		return Page{}, err
	}
	if doc == nil {
		return Page{}, errors.New("not a Word document: the DOCX has no word/document.xml")
	}
	styles := map[string]docxStyle{}
	if s, err := part("word/styles.xml"); err == nil && s != nil {
		styles = readDOCXStyles(s)
	}
	var title string
	if core, err := part("docProps/core.xml"); err == nil && core != nil {
		title = readCoreTitle(core)
	}
	p, err := readDOCXBody(ctx, doc, styles)
	if err != nil {
		return Page{}, err
	}
	if title != "" {
		p.Title = title
	}
	return p, nil
}

// docxStyle is what a paragraph style says about structure.
type docxStyle struct {
	heading int // 1.. for headings, 0 otherwise
	title   bool
}

var headingName = regexp.MustCompile(`(?i)^(?:heading|标题)\s*(\d)$`)

func styleOf(id, name string, outline int) docxStyle {
	for _, s := range []string{name, id} {
		if m := headingName.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
			n, _ := strconv.Atoi(m[1])
			return docxStyle{heading: max(n, 1)}
		}
		if strings.EqualFold(s, "title") || s == "标题" {
			return docxStyle{title: true}
		}
	}
	if outline >= 0 && outline < 9 {
		return docxStyle{heading: outline + 1}
	}
	return docxStyle{}
}

// readDOCXStyles maps paragraph style ids to their meaning.
func readDOCXStyles(data []byte) map[string]docxStyle {
	var st struct {
		Styles []struct {
			Type string `xml:"type,attr"`
			ID   string `xml:"styleId,attr"`
			Name struct {
				Val string `xml:"val,attr"`
			} `xml:"name"`
			Outline *struct {
				Val string `xml:"val,attr"`
			} `xml:"pPr>outlineLvl"`
		} `xml:"style"`
	}
	out := map[string]docxStyle{}
	if err := xml.Unmarshal(data, &st); err != nil {
		return out
	}
	for _, s := range st.Styles {
		outline := -1
		if s.Outline != nil {
			if n, err := strconv.Atoi(s.Outline.Val); err == nil {
				outline = n
			}
		}
		out[s.ID] = styleOf(s.ID, s.Name.Val, outline)
	}
	return out
}

func readCoreTitle(data []byte) string {
	var core struct {
		Title string `xml:"title"`
	}
	if err := xml.Unmarshal(data, &core); err != nil {
		return ""
	}
	return oneLine(core.Title)
}

// readDOCXBody walks word/document.xml.
func readDOCXBody(ctx context.Context, data []byte, styles map[string]docxStyle) (Page, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var (
		p       Page
		b       strings.Builder
		para    strings.Builder // text of the current paragraph
		pStyle  docxStyle
		list    bool
		inText  bool
		tables  [][][]string // stack of tables being read: rows of cells
		cell    []string     // paragraphs of the current cell
		inCell  int
		tokens  int
		outline = -1
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Page{}, fmt.Errorf("DOCX document part is not valid XML (%s)", err)
		}
		if tokens++; tokens%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return Page{}, err
			}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				para.Reset()
				pStyle, list, outline = docxStyle{}, false, -1
			case "pStyle":
				id := attr(t, "val")
				if s, ok := styles[id]; ok {
					pStyle = s
				} else {
					pStyle = styleOf(id, "", -1)
				}
			case "outlineLvl":
				if n, err := strconv.Atoi(attr(t, "val")); err == nil {
					outline = n
				}
			case "numPr":
				list = true
			case "t":
				inText = true
			case "tab":
				para.WriteByte(' ')
			case "br", "cr":
				para.WriteByte(' ')
			case "tbl":
				tables = append(tables, nil)
			case "tr":
				if len(tables) > 0 {
					tables[len(tables)-1] = append(tables[len(tables)-1], nil)
				}
			case "tc":
				inCell++
				if inCell == 1 {
					cell = nil
				}
			}
		case xml.CharData:
			if inText {
				para.Write(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				text := oneLine(para.String())
				if pStyle.heading == 0 && outline >= 0 && outline < 9 {
					pStyle.heading = outline + 1
				}
				switch {
				case text == "":
				case inCell > 0:
					cell = append(cell, text)
				case pStyle.title && p.Title == "":
					p.Title = text
				case pStyle.heading > 0:
					b.WriteString("\n" + strings.Repeat("#", min(pStyle.heading, 6)) + " " + text + "\n\n")
				case list:
					b.WriteString("- " + text + "\n")
				default:
					b.WriteString(mdEscapeLine(text) + "\n\n")
				}
				if b.Len() > MaxTextBytes {
					return Page{}, fmt.Errorf("DOCX holds more than %d MB of text", MaxTextBytes>>20)
				}
			case "tc":
				inCell--
				if inCell == 0 && len(tables) > 0 {
					tb := tables[len(tables)-1]
					if len(tb) > 0 {
						tb[len(tb)-1] = append(tb[len(tb)-1], strings.Join(cell, " "))
					}
				}
			case "tbl":
				if len(tables) == 0 {
					continue
				}
				tb := tables[len(tables)-1]
				tables = tables[:len(tables)-1]
				if len(tables) > 0 || inCell > 0 {
					// A table inside a cell: its text joins the cell.
					for _, r := range tb {
						cell = append(cell, strings.Join(r, " "))
					}
					continue
				}
				var rows [][]string
				for _, r := range tb {
					if len(r) > 0 {
						rows = append(rows, r)
					}
				}
				if len(rows) > 0 {
					b.WriteString("\n" + mdTable(rows) + "\n")
				}
			}
		}
	}
	p.Body = b.String()
	return p, nil
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
