package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestConfigPathsRelativeToTheFile checks that paths written in a config
// file are read relative to its folder, not the working directory, and that
// absolute paths, defaults and flags are left alone.
func TestConfigPathsRelativeToTheFile(t *testing.T) {
	dir := t.TempDir()
	shop := filepath.Join(dir, "shop")
	if err := os.MkdirAll(shop, 0o750); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(dir, "elsewhere", "intents.yaml")
	cfgPath := filepath.Join(shop, "concierge.yaml")
	yaml := "content: content\nintents: " + abs + "\nllm:\n  prompts_dir: ./prompts\nsources:\n  - url: https://www.example.com/\n  - path: manuals\n"
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &env{configPath: cfgPath, getenv: envOf(nil)}
	cfg, err := e.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{
		"content":         filepath.Join(shop, "content"),
		"intents":         abs,
		"llm.prompts_dir": filepath.Join(shop, "prompts"),
		"sources[1].path": filepath.Join(shop, "manuals"),
		"sources[0].path": "",
		"data_dir":        "./concierge-data", // the default, not written: the working directory's
	} {
		if got := *pathFields(&cfg)[field]; got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}

	// data_dir written in the file is the file's; --data is the working
	// directory's.
	if err := os.WriteFile(cfgPath, []byte("data_dir: data\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err = e.loadConfig(); err != nil || cfg.DataDir != filepath.Join(shop, "data") {
		t.Errorf("data_dir = %q (%v), want %q", cfg.DataDir, err, filepath.Join(shop, "data"))
	}
	e.dataDir = "here"
	if cfg, err = e.loadConfig(); err != nil || cfg.DataDir != "here" {
		t.Errorf("with --data here: data_dir = %q (%v)", cfg.DataDir, err)
	}
}
