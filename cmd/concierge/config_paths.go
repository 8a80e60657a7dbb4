package main

import (
	"fmt"
	"path/filepath"
)

// pathFields are the config fields that name a file or folder, with a
// pointer to each in cfg.
func pathFields(cfg *Config) map[string]*string {
	fields := map[string]*string{
		"data_dir":           &cfg.DataDir,
		"content":            &cfg.Content,
		"intents":            &cfg.Intents,
		"complaint_examples": &cfg.ComplaintExamples,
		"llm.prompts_dir":    &cfg.LLM.PromptsDir,
	}
	for i := range cfg.Sources {
		fields[fmt.Sprintf("sources[%d].path", i)] = &cfg.Sources[i].Path
	}
	return fields
}

// resolvePaths makes the relative paths written in the config file relative
// to the folder of that file, as its reader expects: with
// `--config shop/concierge.yaml`, `content: content` is shop/content
// whatever the working directory. Absolute paths, empty values and defaults
// not written in the file (such as data_dir's ./concierge-data) are left as
// they are, and so are paths given by flags, which are relative to the
// working directory like any command-line path.
func resolvePaths(cfg *Config, configFile string, written fieldLines) {
	if configFile == "" {
		return
	}
	base := filepath.Dir(configFile)
	for field, p := range pathFields(cfg) {
		if _, ok := written[field]; !ok || *p == "" || filepath.IsAbs(*p) {
			continue
		}
		*p = filepath.Join(base, *p)
	}
}
