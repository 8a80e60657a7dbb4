package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is this module's path.
const module = "github.com/concierge-bot/concierge"

// listedPackage is what `go list -json` says of a package.
type listedPackage struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// listPackages runs `go list -json ./...` from the module root.
func listPackages(t *testing.T) map[string]listedPackage {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = "../.."
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list: %v: %s", err, errb.String())
	}
	pkgs := map[string]listedPackage{}
	dec := json.NewDecoder(&out)
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")] = p
	}
	return pkgs
}

// own returns the imports of this module among imports, without the module
// prefix.
func own(imports []string) []string {
	var out []string
	for _, i := range imports {
		if i == module || strings.HasPrefix(i, module+"/") {
			out = append(out, strings.TrimPrefix(strings.TrimPrefix(i, module), "/"))
		}
	}
	return out
}

// room returns the top of a package's directory that the layout rules
// treat as one room: channels/web, channels/slack, console (with its
// dashboard), alert, llm (with its fake), and so on.
func room(pkg string) string {
	parts := strings.Split(pkg, "/")
	if parts[0] == "channels" && len(parts) > 1 {
		return "channels/" + parts[1]
	}
	return parts[0]
}

// adapters are the rooms that talk to the outside world; implementations
// are the rooms that satisfy the domain's interfaces.
var (
	adapters        = []string{"channels/web", "channels/slack", "channels/wecom", "channels/feishu", "channels/dingtalk", "console", "alert", "llm", "helpcenter"}
	implementations = []string{"intents", "knowledge", "storage", "escalation", "insights"}
)

// TestLayout enforces DESIGN.md's dependency direction on `go list`: the
// domain (bot) imports nothing of the module, storage's contract imports
// only bot, no adapter imports another adapter, no implementation imports
// an adapter, and only cmd knows flags (cobra, pflag) and the config file's
// YAML (knowledge and intents read YAML content, which is data, not
// configuration).
func TestLayout(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	for name, p := range pkgs {
		imports := own(p.Imports)
		tests := own(append(slices.Clone(p.TestImports), p.XTestImports...))
		switch {
		case name == "bot":
			if len(imports) > 0 {
				t.Errorf("bot imports %v: the domain must import no package of this module", imports)
			}
			for _, i := range tests {
				if i != "bot" && !strings.HasPrefix(i, "bot/") {
					t.Errorf("bot's tests import %s: they may use only bot's own fakes (bot/...)", i)
				}
			}
		case name == "storage":
			for _, i := range imports {
				if i != "bot" {
					t.Errorf("storage imports %s: the store contract may import only bot", i)
				}
			}
		}
		if r := room(name); slices.Contains(adapters, r) {
			for _, i := range imports {
				if ri := room(i); ri != r && slices.Contains(adapters, ri) {
					t.Errorf("adapter %s imports adapter %s: adapters meet only in cmd", name, i)
				}
			}
		} else if slices.Contains(implementations, r) {
			for _, i := range imports {
				if slices.Contains(adapters, room(i)) {
					t.Errorf("%s imports adapter %s: implementations serve the domain, not the adapters", name, i)
				}
			}
		}
		if room(name) != "cmd" {
			for _, i := range p.Imports {
				switch {
				case i == "github.com/spf13/cobra" || i == "github.com/spf13/pflag" || i == "flag":
					t.Errorf("%s imports %s: only cmd parses command lines", name, i)
				case i == "gopkg.in/yaml.v3" && room(name) != "knowledge" && room(name) != "intents":
					t.Errorf("%s imports %s: only cmd reads the config file", name, i)
				}
			}
		}
	}
}
