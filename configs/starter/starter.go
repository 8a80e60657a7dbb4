// Package starter holds the starter company that `concierge init` writes: a
// config that runs with no environment variable, a content folder with one
// example of each format the knowledge base reads, a small bilingual
// intents file, and the site's branding, all in the company's name.
//
// The files under files/ are text/template templates executed with Options;
// {{yaml .NameEN}} writes a YAML string, {{md .NameEN}} a name on one line of
// Markdown. files/gitignore.txt is written as .gitignore.
package starter

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"text/template"
)

//go:embed files
var files embed.FS

// Options are the company the starter is written for.
type Options struct {
	// NameEN and NameZH are the company's name in English and in Chinese;
	// each defaults to the other, and both to "My Shop" / "我的小店".
	NameEN, NameZH string
	// Primary is the brand colour, #rrggbb. Default "#2f5d8a".
	Primary string
	// Config is the path of the config file as the user will type it, for
	// the commands written in its header. Default "concierge.yaml".
	Config string
}

// File is one file of the starter.
type File struct {
	Path string // slash-separated, relative to the company's folder
	Data []byte
}

var primaryColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// withDefaults fills the defaults of o and checks it; errors name the option.
func (o Options) withDefaults() (Options, error) {
	o.NameEN, o.NameZH = oneLine(o.NameEN), oneLine(o.NameZH)
	switch {
	case o.NameEN == "" && o.NameZH == "":
		o.NameEN, o.NameZH = "My Shop", "我的小店"
	case o.NameEN == "":
		o.NameEN = o.NameZH
	case o.NameZH == "":
		o.NameZH = o.NameEN
	}
	for _, n := range []string{o.NameEN, o.NameZH} {
		if len(n) > 100 {
			return o, fmt.Errorf("the name %q is %d bytes long; at most 100 fit the page, the widget and alerts", n, len(n))
		}
	}
	if o.Primary == "" {
		o.Primary = "#2f5d8a"
	}
	if !primaryColor.MatchString(o.Primary) {
		return o, fmt.Errorf("the colour %q must be written #rrggbb, like #2f5d8a", o.Primary)
	}
	if o.Config == "" {
		o.Config = "concierge.yaml"
	}
	return o, nil
}

// oneLine collapses white space, line breaks included, to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

var funcs = template.FuncMap{
	// yaml writes s as a double-quoted YAML string (JSON is valid YAML).
	"yaml": func(s string) (string, error) {
		b, err := json.Marshal(s)
		return string(b), err
	},
	// md writes s as Markdown text: no character starts markup.
	"md": func(s string) string {
		r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, "#", `\#`)
		return r.Replace(s)
	},
}

// Files returns the starter's files for o, sorted by path.
func Files(o Options) ([]File, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	var out []File
	err = fs.WalkDir(files, "files", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		t, err := template.New(p).Funcs(funcs).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return fmt.Errorf("starter: %s: %w", p, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, o); err != nil {
			return fmt.Errorf("starter: %s: %w", p, err)
		}
		name := strings.TrimPrefix(p, "files/")
		if name == "gitignore.txt" {
			name = ".gitignore"
		}
		out = append(out, File{Path: name, Data: b.Bytes()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
