package llm

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"text/template"
)

// The versioned prompt files. A company overrides one by putting a file of
// the same name in Options.Prompts; a new wording of the built-in prompts
// gets a new version number so replies can be traced to the prompt used.
const (
	AnswerPrompt  = "answer.v1.tmpl"
	SummaryPrompt = "summary.v1.tmpl"
	RefusalPrompt = "refusal.v1.tmpl"
)

//go:embed prompts/*.tmpl
var builtinPrompts embed.FS

// prompts holds the parsed templates, each checked for the blocks the
// client executes.
type prompts struct {
	answer, summary, refusal *template.Template
}

// loadPrompts parses the built-in templates, replacing each with the file of
// the same name in override when there is one.
func loadPrompts(override fs.FS) (prompts, error) {
	var p prompts
	for _, x := range []struct {
		name   string
		dst    **template.Template
		blocks []string
	}{
		{AnswerPrompt, &p.answer, []string{"system", "user"}},
		{SummaryPrompt, &p.summary, []string{"system", "user"}},
		{RefusalPrompt, &p.refusal, []string{"text"}},
	} {
		data, src, err := readPrompt(override, x.name)
		if err != nil {
			return prompts{}, err
		}
		t, err := template.New(x.name).Option("missingkey=error").Parse(string(data))
		if err != nil {
			return prompts{}, fmt.Errorf("llm: prompt %s (%s): %w", x.name, src, err)
		}
		for _, b := range x.blocks {
			if t.Lookup(b) == nil {
				return prompts{}, fmt.Errorf("llm: prompt %s (%s) does not define %q", x.name, src, b)
			}
		}
		*x.dst = t
	}
	return p, nil
}

func readPrompt(override fs.FS, name string) (data []byte, source string, err error) {
	if override != nil {
		data, err = fs.ReadFile(override, name)
		if err == nil {
			return data, "company prompts", nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("llm: read prompt %s: %w", name, err)
		}
	}
	data, err = builtinPrompts.ReadFile("prompts/" + name)
	if err != nil {
		return nil, "", fmt.Errorf("llm: built-in prompt %s: %w", name, err)
	}
	return data, "built-in", nil
}

// render executes one block of a template.
func render(t *template.Template, block string, data any) (string, error) {
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, block, data); err != nil {
		return "", fmt.Errorf("llm: render %s/%s: %w", t.Name(), block, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// delimiterRE matches anything that looks like one of the prompt's
// delimiting tags, in any case and with any spacing or attributes.
var delimiterRE = regexp.MustCompile(`(?i)<\s*/?\s*(customer_message|passages|passage|history|conversation|system|user|assistant)\b[^>]*>`)

// neutralize makes outside text safe to place between the prompt's
// delimiters: it cannot close or open one. Full-width brackets keep the
// text readable.
func neutralize(s string) string {
	return delimiterRE.ReplaceAllStringFunc(s, func(tag string) string {
		tag = strings.ReplaceAll(tag, "<", "‹")
		return strings.ReplaceAll(tag, ">", "›")
	})
}

func languageName(lang string) string {
	if lang == "zh" {
		return "Simplified Chinese (简体中文)"
	}
	return "English"
}
