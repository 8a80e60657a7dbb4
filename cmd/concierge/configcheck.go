package main

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/internal/textdist"
	"gopkg.in/yaml.v3"
)

// ConfigError is a mistake in a configuration file: the line it is on (0
// when unknown) and a message for the person who wrote the file, naming the
// field and, where there is one, a suggestion. Error reads "line 3: unknown
// key ...", so that prefixed with the file name it says where to look.
type ConfigError struct {
	Line  int
	Field string // dotted path such as alerts[0].url; empty when unknown
	Msg   string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// fieldLines maps dotted field paths (content, escalation.sla, alerts[0].url)
// to the line of the config file they are written on.
type fieldLines map[string]int

// lineOf returns the line of field, or of the nearest enclosing field written
// in the file (alerts[0] for a missing alerts[0].url); 0 when none is.
func (l fieldLines) lineOf(field string) int {
	for field != "" {
		if n, ok := l[field]; ok {
			return n
		}
		i := strings.LastIndexAny(field, ".[")
		if i < 0 {
			return 0
		}
		field = field[:i]
	}
	return 0
}

var (
	durationType    = reflect.TypeFor[time.Duration]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
)

// yamlField is a field of a config struct as YAML sees it.
type yamlField struct {
	name string
	typ  reflect.Type
}

// yamlFields returns the YAML keys of struct type t in declaration order.
func yamlFields(t reflect.Type) []yamlField {
	var out []yamlField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, yamlField{name, f.Type})
	}
	return out
}

// checkConfigNode walks a YAML node against the Go type t it will be decoded
// into and returns a *ConfigError for the first key t does not have (with the
// nearest known key as a suggestion), the first key written twice, or the
// first value of the wrong kind (a duration written as a number, a list
// where one value is wanted). It records the line of every field it passes in
// lines. path is the dotted path of n; "" for the whole document.
func checkConfigNode(n *yaml.Node, t reflect.Type, path string, lines fieldLines) error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		return checkConfigNode(n.Content[0], t, path, lines)
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // an empty value keeps the default
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct:
		if n.Kind == yaml.ScalarNode && reflect.PointerTo(t).Implements(unmarshalerType) {
			// A struct that reads a plain value too (an API key in its old
			// form): whatever its own UnmarshalYAML takes.
			if err := n.Decode(reflect.New(t).Interface()); err != nil {
				return valueError(n, t, path)
			}
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return shapeError(n, t, path)
		}
		fields := yamlFields(t)
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" { // a merge key: check what is merged in
				merged := []*yaml.Node{v}
				if v.Kind == yaml.SequenceNode {
					merged = v.Content
				}
				for _, m := range merged {
					if err := checkConfigNode(m, t, path, lines); err != nil {
						return err
					}
				}
				continue
			}
			p := joinField(path, k.Value)
			if first, dup := seen[k.Value]; dup {
				return &ConfigError{Line: k.Line, Field: p,
					Msg: fmt.Sprintf("%s is written twice (first on line %d); keep one", p, first)}
			}
			seen[k.Value] = k.Line
			var typ reflect.Type
			for _, f := range fields {
				if f.name == k.Value {
					typ = f.typ
				}
			}
			if typ == nil {
				return unknownKeyError(k, path, fields)
			}
			lines[p] = k.Line
			if err := checkConfigNode(v, typ, p, lines); err != nil {
				return err
			}
		}
		return nil
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, el := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			lines[p] = el.Line
			if err := checkConfigNode(el, t.Elem(), p, lines); err != nil {
				return err
			}
		}
		return nil
	}
	v := reflect.New(t)
	if err := n.Decode(v.Interface()); err != nil {
		return valueError(n, t, path)
	}
	return nil
}

// joinField appends key to a dotted path.
func joinField(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describeNode names what a node holds, for "..., not <what>".
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a set of keys"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

// shapeError reports a value that is not the mapping or list t needs.
func shapeError(n *yaml.Node, t reflect.Type, path string) error {
	var example []string
	for i, f := range yamlFields(t) {
		if i == 3 {
			break
		}
		example = append(example, f.name)
	}
	what := path
	if what == "" {
		what = "the config"
	}
	return &ConfigError{Line: n.Line, Field: path, Msg: fmt.Sprintf("%s must be a set of keys (such as %s), not %s",
		what, strings.Join(example, ", "), describeNode(n))}
}

// valueError reports a value that does not decode into t.
func valueError(n *yaml.Node, t reflect.Type, path string) error {
	msg := ""
	switch {
	case t == reflect.TypeFor[Text]():
		msg = fmt.Sprintf("%s must be a text, or one per language like {en: Hello, zh: 您好}, not %s", path, describeNode(n))
	case t.Kind() == reflect.Slice:
		msg = fmt.Sprintf("%s must be a list, written [a, b] or one \"- item\" per line, not %s", path, describeNode(n))
	case n.Kind != yaml.ScalarNode:
		msg = fmt.Sprintf("%s must be a single value, not %s", path, describeNode(n))
	case t == durationType:
		if _, err := strconv.ParseFloat(n.Value, 64); err == nil {
			msg = fmt.Sprintf("%s: %s has no unit; write it like 15m or 24h", path, n.Value)
		} else {
			msg = fmt.Sprintf("%s: %q is not a duration; write it like 15m or 24h", path, n.Value)
		}
	case t.Kind() == reflect.Bool:
		msg = fmt.Sprintf("%s: %q must be true or false", path, n.Value)
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		msg = fmt.Sprintf("%s: %q is not a whole number", path, n.Value)
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		msg = fmt.Sprintf("%s: %q is not a number", path, n.Value)
	default:
		msg = fmt.Sprintf("%s: %q is not a valid value here", path, n.Value)
	}
	return &ConfigError{Line: n.Line, Field: path, Msg: msg}
}

// unknownKeyError reports a key the mapping at path does not have, with the
// nearest known key when one is close enough to be a slip of the keyboard.
func unknownKeyError(k *yaml.Node, path string, fields []yamlField) error {
	where := ""
	if path != "" {
		where = " in " + path
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	if near := nearest(k.Value, names); near != "" {
		return &ConfigError{Line: k.Line, Field: joinField(path, k.Value),
			Msg: fmt.Sprintf("unknown key %q%s — did you mean %q?", k.Value, where, near)}
	}
	if section := sectionOf(k.Value, fields); section != "" {
		return &ConfigError{Line: k.Line, Field: joinField(path, k.Value),
			Msg: fmt.Sprintf("unknown key %q%s — did you mean %s? (indent it under %s:)", k.Value, where,
				joinField(joinField(path, section), k.Value), section)}
	}
	if len(names) > 8 {
		sorted := append([]string(nil), names...)
		sort.Strings(sorted)
		names = sorted
	}
	return &ConfigError{Line: k.Line, Field: joinField(path, k.Value),
		Msg: fmt.Sprintf("unknown key %q%s; the known keys are %s", k.Value, where, strings.Join(names, ", "))}
}

// sectionOf returns the field among fields whose struct has a key named
// key: where a key written one level too high belongs.
func sectionOf(key string, fields []yamlField) string {
	for _, f := range fields {
		t := f.typ
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == durationType {
			continue
		}
		for _, sub := range yamlFields(t) {
			if sub.name == key {
				return f.name
			}
		}
	}
	return ""
}

// nearest returns the candidate closest to word, compared without case and
// with - and _ alike, if it is within 1 + len/4 edits (a swap of two
// neighbouring letters is one edit); "" otherwise.
func nearest(word string, candidates []string) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "-", "_") }
	w := norm(word)
	best, bestD := "", 1+len([]rune(w))/4+1
	for _, c := range candidates {
		if d := textdist.OSAString(w, norm(c), -1); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// syntaxError turns a YAML parser error into a *ConfigError with its line,
// adding the usual cause of the most common one: a tab in the indentation.
func syntaxError(raw []byte, err error) error {
	msg := strings.TrimPrefix(singleLine(err.Error()), "yaml: ")
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return &ConfigError{Msg: "this is not a YAML config file (" + msg + ")"}
	}
	line, _ := strconv.Atoi(m[1])
	msg = "YAML syntax: " + m[2]
	if src := strings.Split(string(raw), "\n"); line >= 1 && line <= len(src) && strings.Contains(src[line-1], "\t") {
		msg += "; indent with spaces, not tabs"
	}
	return &ConfigError{Line: line, Msg: msg}
}
