package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Every command that prints a table prints one: the header, then rows, in
// columns. (A refactor once made the shared table writer call itself; no
// test printed a table, and `search`, `customers list` and `answers eval`
// died of a stack overflow.)
func TestCommandsPrintTables(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	env := envOf(nil)
	var out, errOut strings.Builder
	if code := run(t.Context(), []string{"chat", "--data", data, "--user", "tables"},
		strings.NewReader("What is your return policy?\n"), &out, &errOut, env); code != 0 {
		t.Fatalf("chat: exit %d: %s", code, errOut.String())
	}
	for _, c := range []struct {
		args   []string
		header []string
	}{
		{[]string{"search", "--data", data, "return policy"}, []string{"#", "SCORE", "TITLE"}},
		{[]string{"customers", "list", "--data", data}, []string{"ID", "NAME", "LAST SEEN"}},
	} {
		t.Run(c.args[0], func(t *testing.T) {
			var out, errOut strings.Builder
			if code := run(t.Context(), c.args, strings.NewReader(""), &out, &errOut, env); code != 0 {
				t.Fatalf("%v: exit %d: %s", c.args, code, errOut.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) < 2 {
				t.Fatalf("%v printed %q, want a header and rows", c.args, out.String())
			}
			for _, h := range c.header {
				if !strings.Contains(lines[0], h) {
					t.Errorf("%v: header %q lacks %q", c.args, lines[0], h)
				}
			}
			if strings.Contains(lines[0], "\t") {
				t.Errorf("%v: header not aligned: %q", c.args, lines[0])
			}
		})
	}
}
