package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
)

// MaxFileBytes is the largest content file Load reads; larger files are
// reported as a problem and skipped.
const MaxFileBytes = 8 << 20

// maxProblemsPerFile caps the problems reported for one file, so that a file
// in the wrong format gives a few clear messages rather than thousands.
const maxProblemsPerFile = 20

// Problem is one broken file, row or entry found by Load. Its message names
// the file and, where known, the line.
type Problem struct {
	File string // slash-separated path relative to the content root
	Line int    // 1-based; 0 when the problem is about the whole file
	Msg  string
}

// Error implements error as "file:line: message".
func (p *Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// problems collects the problems of one file, up to maxProblemsPerFile.
type problems struct {
	file string
	list []error
	more int
}

func (p *problems) add(line int, format string, args ...any) {
	if len(p.list) >= maxProblemsPerFile {
		p.more++
		return
	}
	p.list = append(p.list, &Problem{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *problems) errs() []error {
	if p.more > 0 {
		return append(p.list, &Problem{File: p.file, Msg: fmt.Sprintf("%d more problems not shown", p.more)})
	}
	return p.list
}

// fileKind is what Load makes of a file, from its name.
type fileKind int

const (
	kindSkip fileKind = iota
	kindPage
	kindFAQCSV
	kindFAQYAML
	kindProductsCSV
	kindProductsJSON
	kindProductsYAML
	kindSynonyms
)

// classify decides from a file name what the file holds.
func classify(name string) fileKind {
	base := strings.ToLower(path.Base(name))
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	switch {
	case ext == ".md" || ext == ".markdown":
		return kindPage
	case (ext == ".yaml" || ext == ".yml") && stem == "synonyms":
		return kindSynonyms
	case strings.HasPrefix(stem, "products") && ext == ".csv":
		return kindProductsCSV
	case strings.HasPrefix(stem, "products") && ext == ".json":
		return kindProductsJSON
	case strings.HasPrefix(stem, "products") && (ext == ".yaml" || ext == ".yml"):
		return kindProductsYAML
	case ext == ".csv":
		return kindFAQCSV
	case ext == ".yaml" || ext == ".yml":
		return kindFAQYAML
	}
	return kindSkip
}

// parsers are the parsers of the kinds of file that hold documents.
var parsers = map[fileKind]func(name string, data []byte, ps *problems) []Document{
	kindPage:         parsePage,
	kindFAQCSV:       parseFAQCSV,
	kindFAQYAML:      parseFAQYAML,
	kindProductsCSV:  parseProductsCSV,
	kindProductsJSON: parseProductsJSON,
	kindProductsYAML: parseProductsYAML,
}

// Load reads a content directory: Markdown pages with YAML front matter, FAQ
// files (*.csv with header id,question,answer, or *.yaml), product catalogues
// (products*.csv|json|yaml). synonyms.yaml is not a document (see
// LoadSynonyms); other files and hidden files and folders are ignored.
//
// A broken file, row or entry is reported in problems (each a *Problem naming
// the file and line) and everything else still loads; a document whose id
// repeats an earlier one is reported and dropped. err is for I/O failures
// only. docs are in a stable order: by file path, then by position in the
// file.
func Load(fsys fs.FS) (docs []Document, problems []error, err error) {
	var files []string
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && parsers[classify(p)] != nil {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("knowledge: walk content: %w", err)
	}
	sort.Strings(files)
	seen := map[string]Document{}
	for _, f := range files {
		fd, fp, err := loadFile(fsys, f)
		if err != nil {
			return nil, nil, err
		}
		problems = append(problems, fp...)
		for _, d := range fd {
			if prev, dup := seen[d.ID]; dup {
				problems = append(problems, &Problem{File: d.Source, Line: d.Line,
					Msg: fmt.Sprintf("duplicate id %q (first defined at %s:%d); this one is skipped", d.ID, prev.Source, prev.Line)})
				continue
			}
			seen[d.ID] = d
			docs = append(docs, d)
		}
	}
	return docs, problems, nil
}

// loadFile reads and parses one content file. Unreadable content (too large,
// not UTF-8, binary) is a problem; only I/O failures are errors.
func loadFile(fsys fs.FS, name string) ([]Document, []error, error) {
	ps := &problems{file: name}
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, nil, fmt.Errorf("knowledge: %s: %w", name, err)
	}
	if info.Size() > MaxFileBytes {
		ps.add(0, "file is too large (%d MB; the limit is %d MB); split it into smaller files", info.Size()>>20, MaxFileBytes>>20)
		return nil, ps.errs(), nil
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) { // removed while loading
			return nil, nil, nil
		}
		return nil, nil, fmt.Errorf("knowledge: read %s: %w", name, err)
	}
	if len(data) > MaxFileBytes {
		ps.add(0, "file is too large (the limit is %d MB); split it into smaller files", MaxFileBytes>>20)
		return nil, ps.errs(), nil
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, 0) >= 0 {
		ps.add(0, "looks like a binary file, not text; remove it or give it another extension")
		return nil, ps.errs(), nil
	}
	if !utf8.Valid(data) {
		ps.add(lineOfInvalidUTF8(data), "text is not valid UTF-8; save the file as UTF-8")
		return nil, ps.errs(), nil
	}
	var docs []Document
	if parse := parsers[classify(name)]; parse != nil {
		docs = parse(name, data, ps)
	}
	return docs, ps.errs(), nil
}

// lineOfInvalidUTF8 returns the 1-based line of the first invalid byte.
func lineOfInvalidUTF8(data []byte) int {
	line := 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		i += n
	}
	return line
}

// parseAudience validates an audience value; empty gives def.
func parseAudience(s string, def bot.Audience) (bot.Audience, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return def, true
	case string(bot.AudiencePublic):
		return bot.AudiencePublic, true
	case string(bot.AudienceInternal):
		return bot.AudienceInternal, true
	}
	return "", false
}

// underInternal reports whether a slash path lies in a folder named internal.
func underInternal(name string) bool {
	dir := path.Dir(name)
	for _, seg := range strings.Split(dir, "/") {
		if strings.EqualFold(seg, "internal") {
			return true
		}
	}
	return false
}

// validID reports whether id is usable as a document id and URL path part.
func validID(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r == 0x7f || strings.ContainsRune("#?\\\"<>", r) {
			return false
		}
	}
	return true
}

// finishLang fills a document's language: the declared one, else a guess
// from its text.
func finishLang(declared, text string) string {
	if declared != "" {
		return declared
	}
	return detectLang(text)
}
