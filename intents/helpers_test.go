package intents

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// datasetsDir returns ../shared/datasets relative to the module root. When
// it is absent the test skips with a message, except when the CI
// environment variable is set: there it fails, so that the accuracy guards
// can never silently vanish from CI.
func datasetsDir(t testing.TB) string {
	t.Helper()
	missing := func(msg string) {
		t.Helper()
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI is set, so the intent evaluations must run")
		}
		t.Skip(msg + " (skipped outside CI)")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			missing("intents: datasets not found (no module root)")
		}
		dir = parent
	}
	ds := filepath.Join(dir, "..", "shared", "datasets")
	if _, err := os.Stat(ds); err != nil {
		missing("intents: datasets not found at " + ds)
	}
	return ds
}

// loadCSV reads a CSV of examples or fails the test.
func loadCSV(t testing.TB, path string) []Example {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ex, err := ReadCSV(f, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// shopFile parses testdata/shop.yaml once.
var shopFile = sync.OnceValues(func() (*File, error) {
	f, err := os.Open("testdata/shop.yaml")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseFile(f, "shop.yaml")
})

func mustShopFile(t testing.TB) *File {
	t.Helper()
	f, err := shopFile()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// shopModel trains once on testdata/shop.yaml.
var shopModel = sync.OnceValues(func() (*Model, error) {
	file, err := shopFile()
	if err != nil {
		return nil, err
	}
	return Train(context.Background(), file.Examples(), TrainOptions{})
})

func mustShopModel(t testing.TB) *Model {
	t.Helper()
	m, err := shopModel()
	if err != nil {
		t.Fatal(err)
	}
	return m
}
