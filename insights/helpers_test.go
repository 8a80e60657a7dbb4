package insights_test

import (
	"os"
	"testing"
)

// mkdirTemp makes a directory for a database shared by the tests of one run;
// TestMain removes it.
func mkdirTemp() (string, error) { return os.MkdirTemp("", "concierge-insights-") }

func TestMain(m *testing.M) {
	code := m.Run()
	if seedDir != "" {
		os.RemoveAll(seedDir)
	}
	os.Exit(code)
}
