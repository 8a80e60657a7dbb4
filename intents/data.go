package intents

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// LabelOutOfScope is the label of an example that matches no intent.
const LabelOutOfScope = "oos"

// Example is one labelled text; Label "oos" marks out-of-scope.
type Example struct{ Text, Label string }

// ReadCSV reads examples from CSV with the header `text,label` (RFC 4180,
// UTF-8; extra columns are ignored). Texts are kept as written; labels are
// trimmed. Errors name the file and line, as in "train.csv:12: ...".
func ReadCSV(r io.Reader, name string) ([]Example, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s:1: empty file, want a header `text,label`", name)
	} else if err != nil {
		return nil, csvError(name, err)
	}
	textCol, labelCol := -1, -1
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		switch h {
		case "text":
			textCol = i
		case "label":
			labelCol = i
		}
	}
	if textCol < 0 || labelCol < 0 {
		return nil, fmt.Errorf("%s:1: header %q must have the columns text and label", name, strings.Join(header, ","))
	}
	var out []Example
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) <= max(textCol, labelCol) {
			return nil, fmt.Errorf("%s:%d: %d fields, want at least %d", name, line, len(rec), max(textCol, labelCol)+1)
		}
		text, label := rec[textCol], strings.TrimSpace(rec[labelCol])
		if !utf8.ValidString(text) || !utf8.ValidString(label) {
			return nil, fmt.Errorf("%s:%d: invalid UTF-8", name, line)
		}
		if label == "" {
			return nil, fmt.Errorf("%s:%d: empty label", name, line)
		}
		if strings.TrimSpace(text) == "" {
			return nil, fmt.Errorf("%s:%d: empty text", name, line)
		}
		out = append(out, Example{Text: text, Label: label})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s:2: no examples after the header", name)
	}
	return out, nil
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %w", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// File is a company's intents file (YAML); see configs/demo/intents.yaml for
// the format:
//
//	intents:
//	  - name: order_status
//	    description: The customer asks where an order is.
//	    examples:
//	      - where is my order
//	      - 我的订单到哪了
//	    replies:
//	      en: ...
//	      zh: ...
type File struct{ Intents []Intent }

// Intent is one intent of a File: its name (the label), a description for
// people, the example messages the classifier learns from, and optional canned
// replies by language ("en", "zh").
type Intent struct {
	Name        string
	Description string
	Examples    []string
	Replies     map[string]string
}

type yamlIntent struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Examples    []string          `yaml:"examples"`
	Replies     map[string]string `yaml:"replies"`
}

// ParseFile parses an intents file. Every intent needs a unique name; an
// intent may have no examples only if it has replies. Errors name the file and,
// where known, the line: "intents.yaml:7: intent 2 has no name".
func ParseFile(r io.Reader, name string) (*File, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty intents file", name)
	} else if err != nil {
		return nil, yamlError(name, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping with the key intents", name, root.Line)
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "intents":
			list = v
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q (want intents)", name, k.Line, k.Value)
		}
	}
	if list == nil {
		return nil, fmt.Errorf("%s:%d: no intents key", name, root.Line)
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: intents must be a list", name, list.Line)
	}
	f := &File{}
	seen := map[string]int{}
	for i, n := range list.Content {
		if n.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s:%d: intent %d must be a mapping with name, examples, replies", name, n.Line, i+1)
		}
		for j := 0; j+1 < len(n.Content); j += 2 {
			switch k := n.Content[j]; k.Value {
			case "name", "description", "examples", "replies":
			default:
				return nil, fmt.Errorf("%s:%d: unknown intent field %q (want name, description, examples, replies)", name, k.Line, k.Value)
			}
		}
		var yi yamlIntent
		if err := n.Decode(&yi); err != nil {
			return nil, yamlError(name, err)
		}
		yi.Name = strings.TrimSpace(yi.Name)
		switch {
		case yi.Name == "":
			return nil, fmt.Errorf("%s:%d: intent %d has no name", name, n.Line, i+1)
		case strings.ContainsAny(yi.Name, " \t\n,\""):
			return nil, fmt.Errorf("%s:%d: intent name %q must not contain spaces, commas or quotes", name, n.Line, yi.Name)
		case len(yi.Examples) == 0 && len(yi.Replies) == 0:
			return nil, fmt.Errorf("%s:%d: intent %q has neither examples nor replies", name, n.Line, yi.Name)
		}
		if prev, ok := seen[yi.Name]; ok {
			return nil, fmt.Errorf("%s:%d: intent %q is already defined on line %d", name, n.Line, yi.Name, prev)
		}
		seen[yi.Name] = n.Line
		in := Intent{Name: yi.Name, Description: strings.TrimSpace(yi.Description), Replies: yi.Replies}
		for j, ex := range yi.Examples {
			if strings.TrimSpace(ex) == "" {
				return nil, fmt.Errorf("%s:%d: intent %q: example %d is empty", name, n.Line, yi.Name, j+1)
			}
			in.Examples = append(in.Examples, ex)
		}
		f.Intents = append(f.Intents, in)
	}
	return f, nil
}

// yamlError turns "yaml: line 3: ..." into "name:3: ...".
func yamlError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		return fmt.Errorf("%s:%d: %s", name, line, strings.TrimSpace(msg[strings.Index(msg, ":")+1:]))
	}
	return fmt.Errorf("%s: %s", name, msg)
}

// Examples returns every example of the file with its intent name as label,
// in file order.
func (f *File) Examples() []Example {
	var out []Example
	for _, in := range f.Intents {
		for _, ex := range in.Examples {
			out = append(out, Example{Text: ex, Label: in.Name})
		}
	}
	return out
}

// Replies returns the canned replies by intent and language; intents without
// replies are absent. The maps are copies.
func (f *File) Replies() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, in := range f.Intents {
		if len(in.Replies) == 0 {
			continue
		}
		m := make(map[string]string, len(in.Replies))
		for lang, text := range in.Replies {
			m[lang] = text
		}
		out[in.Name] = m
	}
	return out
}

// labelsOf returns the sorted distinct labels of examples.
func labelsOf(examples []Example) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range examples {
		if !seen[e.Label] {
			seen[e.Label] = true
			out = append(out, e.Label)
		}
	}
	slices.Sort(out)
	return out
}
