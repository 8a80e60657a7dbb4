package knowledge

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/internal/texts"
)

// row is one record of an FAQ file or product catalogue, whatever its
// format, with lower-case column names.
type row struct {
	line   int
	fields map[string]string
}

func (r row) get(k string) string { return strings.TrimSpace(r.fields[k]) }

// key checks that r fills every required column and that its idCol holds a
// valid id, and returns that id. Otherwise it reports the first problem,
// naming the entry what, and returns ok false.
func (r row) key(ps *problems, what string, required []string, idCol string) (id string, ok bool) {
	for _, c := range required {
		if r.get(c) == "" {
			ps.add(r.line, "%s has no %s; entry skipped", what, c)
			return "", false
		}
	}
	id = r.get(idCol)
	if !validID(id) {
		ps.add(r.line, "%s %q must be at most 200 characters, without spaces or any of #?\\\"<>; entry skipped", idCol, id)
		return "", false
	}
	return id, true
}

// Columns of FAQ files and product catalogues.
var (
	faqRequired     = []string{"id", "question", "answer"}
	productRequired = []string{"sku", "name"}
)

// csvRows reads a CSV file with a header into rows; required names the
// columns that must be present.
func csvRows(data []byte, required []string, ps *problems) []row {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		ps.add(0, "file is empty; expected a header line %s", strings.Join(required, ","))
		return nil
	}
	if err != nil {
		ps.add(csvErrLine(err, 1), "header line is not valid CSV: %s", csvErrMsg(err))
		return nil
	}
	cols := make([]string, len(header))
	have := map[string]bool{}
	for i, h := range header {
		cols[i] = strings.ToLower(strings.TrimSpace(h))
		have[cols[i]] = true
	}
	var missing []string
	for _, c := range required {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		ps.add(1, "header lacks column(s) %s (expected at least %s)", strings.Join(missing, ", "), strings.Join(required, ","))
		return nil
	}
	var rows []row
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ps.add(csvErrLine(err, 0), "not valid CSV: %s; row skipped", csvErrMsg(err))
			continue
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != len(cols) {
			ps.add(line, "row has %d fields but the header has %d; row skipped", len(rec), len(cols))
			continue
		}
		f := make(map[string]string, len(cols))
		for i, c := range cols {
			f[c] = rec[i]
		}
		rows = append(rows, row{line: line, fields: f})
	}
	return rows
}

func csvErrLine(err error, def int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return def
}

func csvErrMsg(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// scalarString renders a JSON or YAML value as row text: lists joined with
// ";", numbers without exponent noise.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case json.Number:
		return x.String(), true
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := scalarString(e)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ";"), true
	}
	return "", false
}

// mapRow turns a decoded object into a row, reporting fields whose values
// are not text, numbers or lists of those.
func mapRow(m map[string]any, line int, ps *problems) (row, bool) {
	f := make(map[string]string, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, ok := scalarString(m[k])
		if !ok {
			ps.add(line, "field %q must be text, a number or a list; entry skipped", k)
			return row{}, false
		}
		f[strings.ToLower(strings.TrimSpace(k))] = s
	}
	return row{line: line, fields: f}, true
}

// yamlRows reads a YAML file holding a list of entries, either at the top
// level or under one of the keys in listKeys.
func yamlRows(data []byte, listKeys []string, ps *problems) []row {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		ps.add(yamlErrLine(err, 0), "not valid YAML: %s", yamlErrMsg(err))
		return nil
	}
	if len(doc.Content) == 0 {
		ps.add(0, "file is empty")
		return nil
	}
	list := doc.Content[0]
	if list.Kind == yaml.MappingNode {
		var found *yaml.Node
		for i := 0; i+1 < len(list.Content); i += 2 {
			for _, k := range listKeys {
				if list.Content[i].Value == k {
					found = list.Content[i+1]
				}
			}
		}
		if found == nil {
			ps.add(list.Line, "expected a list of entries, or a %q key holding one", listKeys[0])
			return nil
		}
		list = found
	}
	if list.Kind != yaml.SequenceNode {
		ps.add(list.Line, "expected a list of entries")
		return nil
	}
	var rows []row
	for _, n := range list.Content {
		var m map[string]any
		if n.Kind != yaml.MappingNode {
			ps.add(n.Line, "entry must be a mapping of fields; entry skipped")
			continue
		}
		if err := n.Decode(&m); err != nil {
			ps.add(n.Line, "entry: %s; entry skipped", yamlErrMsg(err))
			continue
		}
		if r, ok := mapRow(m, n.Line, ps); ok {
			rows = append(rows, r)
		}
	}
	return rows
}

// jsonRows reads a JSON array of objects (or an object with a "products"
// array) into rows, with the line where each object starts.
func jsonRows(data []byte, ps *problems) []row {
	lineAt := func(off int64) int {
		if off > int64(len(data)) {
			off = int64(len(data))
		}
		return 1 + bytes.Count(data[:off], []byte("\n"))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	errLine := func(err error) int {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return lineAt(se.Offset)
		}
		return lineAt(dec.InputOffset())
	}
	tok, err := dec.Token()
	if err != nil {
		ps.add(errLine(err), "not valid JSON: %v", err)
		return nil
	}
	if d, ok := tok.(json.Delim); ok && d == '{' {
		// Look for "products": [ ... ].
		for {
			k, err := dec.Token()
			if err != nil {
				ps.add(errLine(err), "not valid JSON: %v", err)
				return nil
			}
			if k == json.Delim('}') {
				ps.add(1, `expected a JSON array of products or an object with a "products" array`)
				return nil
			}
			if k == "products" {
				tok, err = dec.Token()
				if err != nil {
					ps.add(errLine(err), "not valid JSON: %v", err)
					return nil
				}
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				ps.add(errLine(err), "not valid JSON: %v", err)
				return nil
			}
		}
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		ps.add(lineAt(dec.InputOffset()), `expected a JSON array of products or an object with a "products" array`)
		return nil
	}
	var rows []row
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			ps.add(errLine(err), "not valid JSON: %v", err)
			return rows
		}
		start := dec.InputOffset() - int64(len(raw))
		line := lineAt(start)
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&m); err != nil || m == nil {
			ps.add(line, "entry must be a JSON object; entry skipped")
			continue
		}
		if r, ok := mapRow(m, line, ps); ok {
			rows = append(rows, r)
		}
	}
	return rows
}

// faqDoc builds an FAQ document from a row, or reports why it cannot.
func faqDoc(name string, r row, ps *problems) (Document, bool) {
	id, ok := r.key(ps, "FAQ entry", faqRequired, "id")
	if !ok {
		return Document{}, false
	}
	aud, ok := parseAudience(r.get("audience"), bot.AudiencePublic)
	if !ok {
		ps.add(r.line, "unknown audience %q (use public or internal); entry skipped", r.get("audience"))
		return Document{}, false
	}
	lang, ok := normLang(r.get("lang"))
	if !ok {
		ps.add(r.line, "unknown lang %q (use en or zh); entry skipped", r.get("lang"))
		return Document{}, false
	}
	q, a := r.get("question"), r.get("answer")
	url := r.get("url")
	if url == "" {
		url = DocURL(id, aud)
	}
	return Document{
		ID: id, Title: q, Body: a, Kind: bot.KindFAQ, Audience: aud,
		Lang: finishLang(lang, q+" "+a), Tags: texts.SplitList(r.get("tags")), Intents: texts.SplitList(r.get("intents")),
		Question: q, Answer: a, Paraphrases: texts.SplitList(r.get("paraphrases")),
		Source: name, Line: r.line, URL: url,
	}, true
}

// productDoc builds a product document from a row, or reports why it
// cannot.
func productDoc(name string, r row, ps *problems) (Document, bool) {
	sku, ok := r.key(ps, "product", productRequired, "sku")
	if !ok {
		return Document{}, false
	}
	lang, ok := normLang(r.get("lang"))
	if !ok {
		ps.add(r.line, "unknown lang %q (use en or zh); entry skipped", r.get("lang"))
		return Document{}, false
	}
	aud, ok := parseAudience(r.get("audience"), bot.AudiencePublic)
	if !ok {
		ps.add(r.line, "unknown audience %q (use public or internal); entry skipped", r.get("audience"))
		return Document{}, false
	}
	price := r.get("price")
	if price != "" {
		if _, err := strconv.ParseFloat(strings.TrimPrefix(price, "$"), 64); err != nil {
			ps.add(r.line, "price %q is not a number; entry skipped", price)
			return Document{}, false
		}
	}
	id := sku
	if lang == "zh" {
		id = sku + "-zh"
	}
	nm, desc, cat := r.get("name"), r.get("description"), r.get("category")
	body := desc
	if cat != "" {
		body = strings.TrimSpace(desc + "\n" + cat)
	}
	ans := nm
	if price != "" {
		ans += " — " + strings.TrimSpace(price+" "+r.get("currency"))
	}
	if desc != "" {
		if lang == "zh" {
			ans += "。" + desc
		} else {
			ans += ". " + desc
		}
	}
	tags := texts.SplitList(r.get("tags"))
	if cat != "" {
		tags = append(tags, cat)
	}
	var attrs map[string]string
	for k := range r.fields {
		if v := r.get(k); v != "" && !productColumns[k] {
			if attrs == nil {
				attrs = map[string]string{}
			}
			attrs[k] = v
		}
	}
	return Document{
		ID: id, Title: nm, Body: body, Kind: bot.KindProduct, Audience: aud,
		Lang: finishLang(lang, nm+" "+desc), Tags: tags, Intents: texts.SplitList(r.get("intents")),
		Answer: ans, SKU: sku, Source: name, Line: r.line, URL: DocURL(id, aud),
		Category: cat, Description: desc, Price: strings.TrimPrefix(price, "$"), Currency: r.get("currency"),
		Attrs: attrs,
	}, true
}

// productColumns are the product columns with a Document field of their
// own; every other column goes to Document.Attrs.
var productColumns = map[string]bool{
	"sku": true, "name": true, "category": true, "price": true, "currency": true,
	"description": true, "tags": true, "lang": true, "audience": true, "intents": true,
}

func buildDocs(name string, rows []row, ps *problems, mk func(string, row, *problems) (Document, bool)) []Document {
	var docs []Document
	for _, r := range rows {
		if d, ok := mk(name, r, ps); ok {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 && len(ps.list) == 0 {
		ps.add(0, "file has no entries")
	}
	return docs
}

func parseFAQCSV(name string, data []byte, ps *problems) []Document {
	return buildDocs(name, csvRows(data, faqRequired, ps), ps, faqDoc)
}

func parseFAQYAML(name string, data []byte, ps *problems) []Document {
	return buildDocs(name, yamlRows(data, []string{"faq", "faqs", "entries"}, ps), ps, faqDoc)
}

func parseProductsCSV(name string, data []byte, ps *problems) []Document {
	return buildDocs(name, csvRows(data, productRequired, ps), ps, productDoc)
}

func parseProductsJSON(name string, data []byte, ps *problems) []Document {
	return buildDocs(name, jsonRows(data, ps), ps, productDoc)
}

func parseProductsYAML(name string, data []byte, ps *problems) []Document {
	return buildDocs(name, yamlRows(data, []string{"products"}, ps), ps, productDoc)
}

// errNoSynonyms is returned by LoadSynonyms' parser for a file that holds no
// synonyms key.
var errNoSynonyms = errors.New(`expected a "synonyms" key holding a list of lists`)

// Synonyms are groups of words or phrases that mean the same for a company,
// e.g. {"parcel", "package", "包裹", "快递"}. A query containing one member is
// also matched against the others.
type Synonyms [][]string

// LoadSynonyms reads synonyms.yaml (or synonyms.yml) at the root of a
// content directory: `synonyms: [[parcel, package, 包裹], ...]`. A missing
// file gives no synonyms and no error; a broken one gives a *Problem.
func LoadSynonyms(fsys fs.FS) (Synonyms, error) {
	for _, name := range []string{"synonyms.yaml", "synonyms.yml"} {
		data, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("knowledge: read %s: %w", name, err)
		}
		return parseSynonyms(name, data)
	}
	return nil, nil
}

func parseSynonyms(name string, data []byte) (Synonyms, error) {
	var doc struct {
		Synonyms []listValue `yaml:"synonyms"`
	}
	if len(data) > MaxFileBytes {
		return nil, &Problem{File: name, Msg: "file is too large"}
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Problem{File: name, Line: yamlErrLine(err, 0), Msg: "not valid YAML: " + yamlErrMsg(err)}
	}
	if doc.Synonyms == nil && len(bytes.TrimSpace(data)) > 0 {
		return nil, &Problem{File: name, Msg: errNoSynonyms.Error()}
	}
	var out Synonyms
	for _, g := range doc.Synonyms {
		var grp []string
		for _, w := range g {
			if w = strings.ToLower(strings.TrimSpace(w)); w != "" {
				grp = append(grp, w)
			}
		}
		if len(grp) > 1 {
			out = append(out, grp)
		}
	}
	return out, nil
}

// String renders a problem list for logs.
func problemsString(ps []error) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprint(&b, p)
	}
	return b.String()
}
