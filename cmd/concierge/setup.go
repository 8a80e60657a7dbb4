package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// configSource records where the values of a Config came from, so that an
// error about a value can say where to change it.
type configSource struct {
	file  string            // the --config file; empty with the defaults
	lines fieldLines        // field → line in file
	flags map[string]string // field → the flag that set it, e.g. data_dir → --data
}

// setByFlag records that flag set field, overriding the file.
func (c Config) setByFlag(field, flag string) {
	if c.src != nil {
		c.src.flags[field] = flag
	}
}

// origin says where field was set, as " (from concierge.yaml line 3)",
// " (from the --data flag)" or " (from concierge.yaml)"; "" for a default.
func (c Config) origin(field string) string {
	switch {
	case c.src == nil:
		return ""
	case c.src.flags[field] != "":
		return " (from the " + c.src.flags[field] + " flag)"
	case c.src.file == "":
		return ""
	}
	if n := c.src.lines.lineOf(field); n > 0 {
		return fmt.Sprintf(" (from %s line %d)", c.src.file, n)
	}
	return " (from " + c.src.file + ")"
}

var leadingField = regexp.MustCompile(`^[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*`)

// locate turns an error of Validate, whose message starts with the field it
// is about, into a configError that says where that field was set:
// "concierge.yaml line 12: alerts[0].url is missing: ...".
func (c Config) locate(err error) error {
	field := leadingField.FindString(err.Error())
	switch {
	case c.src == nil || field == "":
	case c.src.flags[field] != "":
		return configError{fmt.Errorf("%w (from the %s flag)", err, c.src.flags[field])}
	case c.src.file == "":
	case c.src.lines.lineOf(field) > 0:
		return configError{fmt.Errorf("%s line %d: %w", c.src.file, c.src.lines.lineOf(field), err)}
	default:
		return configError{fmt.Errorf("%s: %w", c.src.file, err)}
	}
	return configError{err}
}

// readConfigFile reads the --config file, telling a missing file or a folder
// apart from a file that cannot be read.
func readConfigFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, configError{explain(err, "config file %s does not exist%s", path, didYouMeanPath(path, false))}
	case err != nil:
		return nil, configError{explain(err, "config file %s cannot be read: %s", path, reason(err))}
	case st.IsDir():
		hint := ""
		if inside := filepath.Join(path, "concierge.yaml"); isFile(inside) {
			hint = fmt.Sprintf(" — did you mean %s?", inside)
		}
		return nil, configError{fmt.Errorf("config file %s is a folder, not a YAML file%s", path, hint)}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, configError{explain(err, "config file %s cannot be read: %s", path, reason(err))}
	}
	return raw, nil
}

// checkSetup checks, before anything is created or opened, what the commands
// that run the Engine need from the setup: the content folder and the
// prompts folder the config names, the intents file and complaint examples
// (parsed), the data
// directory's place,
// and the alert sinks (built and thrown away, so that a sink's own checks run
// now). It has no side effects and may be called more than once. Its errors
// are configErrors naming the field and where it was set.
func checkSetup(cfg Config) error {
	if cfg.Content != "" {
		if err := checkPath(cfg, "content", cfg.Content, true); err != nil {
			return err
		}
	}
	if _, err := intentsFile(cfg); err != nil { // parsing is cheap; training comes later
		return err
	}
	if cfg.ComplaintExamples != "" {
		if _, err := readComplaintExamples(cfg, cfg.ComplaintExamples); err != nil {
			return err
		}
	}
	if cfg.LLM.on() && cfg.LLM.PromptsDir != "" {
		if err := checkPath(cfg, "llm.prompts_dir", cfg.LLM.PromptsDir, true); err != nil {
			return err
		}
	}
	if err := checkDataDirPlace(cfg); err != nil {
		return err
	}
	self := []string{cfg.Server.Addr}
	if cfg.Server.PublicURL != "" {
		self = append(self, cfg.Server.PublicURL)
	}
	for i, ac := range cfg.Alerts {
		if _, err := newSink(cfg, ac, self, &chatAdapters{}); err != nil {
			field := fmt.Sprintf("alerts[%d]", i)
			return configError{explain(err, "%s (%s): %s%s", field, ac.name(), strings.TrimPrefix(err.Error(), "alert: "),
				cfg.origin(field))}
		}
	}
	return nil
}

// checkPath checks that path, the value of field, exists and is a folder
// (dir) or a file, suggesting the nearest existing name when it does not.
func checkPath(cfg Config, field, path string, dir bool) error {
	kind, other := "file", "folder"
	if dir {
		kind, other = "folder", "file"
	}
	abs := absPath(path)
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return configError{explain(err, "%s: %s does not exist%s%s", field, abs, cfg.origin(field), didYouMeanPath(abs, dir))}
	case err != nil:
		return configError{explain(err, "%s: %s cannot be read: %s%s", field, abs, reason(err), cfg.origin(field))}
	case st.IsDir() != dir:
		return configError{fmt.Errorf("%s: %s is a %s, not a %s%s", field, abs, other, kind, cfg.origin(field))}
	}
	return nil
}

// checkDataDirPlace reports a data directory that can never be created
// because it, or a folder above it, is a file.
func checkDataDirPlace(cfg Config) error {
	abs := absPath(cfg.DataDir)
	for p := abs; ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		if err == nil {
			if st.IsDir() {
				return nil
			}
			if p == abs {
				return configError{fmt.Errorf("data_dir: %s is a file, not a folder%s", abs, cfg.origin("data_dir"))}
			}
			return configError{fmt.Errorf("data_dir: %s cannot be created: %s is a file%s", abs, p, cfg.origin("data_dir"))}
		}
		if filepath.Dir(p) == p {
			return nil
		}
	}
}

// ensureDataDir creates the data directory when it is missing and checks
// that files can be written in it.
func ensureDataDir(cfg Config) error {
	if err := checkDataDirPlace(cfg); err != nil {
		return err
	}
	abs := absPath(cfg.DataDir)
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return explain(err, "data_dir: %s cannot be created: %s%s", abs, reason(err), cfg.origin("data_dir"))
	}
	f, err := os.CreateTemp(cfg.DataDir, ".write-check-*")
	if err != nil {
		return explain(err, "data_dir: cannot write in %s: %s%s", abs, reason(err), cfg.origin("data_dir"))
	}
	_ = f.Close()
	_ = os.Remove(f.Name())
	return nil
}

// absPath returns path made absolute, or path itself if that fails.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// isFile reports whether path is a regular file.
func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// reason returns the operating system's words for an I/O error ("permission
// denied"), without the operation and path the message already names.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// didYouMeanPath suggests the existing folder (dir) or file beside path whose
// name is nearest to path's: " — did you mean /x/content?"; "" when none is
// near.
func didYouMeanPath(path string, dir bool) string {
	parent, base := filepath.Dir(path), filepath.Base(path)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return ""
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() == dir && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	if near := nearest(base, names); near != "" {
		return fmt.Sprintf(" — did you mean %s?", filepath.Join(parent, near))
	}
	return ""
}
