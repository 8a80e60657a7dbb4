package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/configs/starter"
)

// newInitCmd is `concierge init [DIR]`: it writes a starter company into DIR
// (default: the working directory) and prints the commands to run next. It
// never overwrites a file: when any file it would write exists, it writes
// none.
func newInitCmd(e *env) *cobra.Command {
	var o starter.Options
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter company (config, example content, intents, branding) into DIR",
		Long: `Write a starter company into DIR (default: the current folder):

  DIR/concierge.yaml   a config that runs with no environment variable; API keys
                       and secrets are commented, with how to create them
  DIR/intents.yaml     a small intents file in English and Chinese
  DIR/content/         one example of each format the knowledge base reads:
                       Markdown pages, an internal page, FAQ CSV and YAML,
                       products, synonyms
  DIR/.gitignore       leaves DIR/data (database, secrets) out of git

The page at /, the widget, the console and the alerts carry --name.
No file is overwritten: if one exists, nothing is written.`,
		Example: `  concierge init bakery --name "Bob's Bakery" --name-zh 鲍勃烘焙`,
		Args:    maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return runInit(e.stdout, dir, o)
		},
	}
	cmd.Flags().StringVar(&o.NameEN, "name", "", "the company's `NAME` (default \"My Shop\")")
	cmd.Flags().StringVar(&o.NameZH, "name-zh", "", "its Chinese `NAME` (default: --name, or 我的小店)")
	cmd.Flags().StringVar(&o.Primary, "color", "", "the brand `COLOUR`, #rrggbb (default #2f5d8a)")
	return cmd
}

// maxArgs is cobra.MaximumNArgs reporting a usage error.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("%s takes at most %d argument(s), got %d; see `%s --help`", cmd.Name(), n, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// runInit writes the starter company for o into dir and prints what to do
// next to w.
func runInit(w io.Writer, dir string, o starter.Options) error {
	cfgPath := filepath.Join(dir, "concierge.yaml")
	o.Config = shellQuote(cfgPath)
	files, err := starter.Files(o)
	if err != nil {
		return usagef("%v", err)
	}
	// Nothing is written if anything would be overwritten; the config is
	// named first, being the file a second init most likely meets.
	check := []string{cfgPath}
	for _, f := range files {
		check = append(check, filepath.Join(dir, filepath.FromSlash(f.Path)))
	}
	for _, p := range check {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s already exists; init overwrites nothing, so give it a new or empty folder", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return explain(err, "cannot write %s: %s", p, reason(err))
		}
	}
	var written []string
	undo := func() {
		for i := len(written) - 1; i >= 0; i-- {
			_ = os.Remove(written[i])
		}
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			undo()
			return explain(err, "cannot create the folder %s: %s", filepath.Dir(p), reason(err))
		}
		// O_EXCL: a file created since the check above is not overwritten.
		fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			undo()
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%s already exists; init overwrites nothing, so give it a new or empty folder", p)
			}
			return explain(err, "cannot write %s: %s", p, reason(err))
		}
		written = append(written, p)
		_, err = fh.Write(f.Data)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			undo()
			return explain(err, "cannot write %s: %s", p, reason(err))
		}
	}
	content := filepath.Join(dir, "content")
	name := starterName(o)
	examples := 0
	for _, f := range files {
		if strings.HasPrefix(f.Path, "content/") {
			examples++
		}
	}
	where, whereZH := dir, dir
	if filepath.Clean(dir) == "." {
		where, whereZH = "the current folder", "当前文件夹"
	}
	fmt.Fprintf(w, `Wrote a starter company for %s in %s: concierge.yaml, intents.yaml and %d example files in content/.
已在 %s 写好 %s 的起步配置：concierge.yaml、intents.yaml 以及 content/ 下的 %d 个示例文件。

Next · 接下来:
  concierge chat --config %s
      ask it something, in English or Chinese · 在终端里用中文或英文提问
  concierge import ~/my-documents --into %s
      add your own web pages, PDF or Word files, or copy FAQ CSVs into %s · 导入您自己的网页、PDF、Word 文件，或把 FAQ 表格复制进去
  concierge serve --config %s
      open http://127.0.0.1:8080 for your page and chat widget, /console for agents · 打开 http://127.0.0.1:8080 查看网页与在线咨询，/console 为客服控制台
`, name[0], where, examples, whereZH, name[1], examples, shellQuote(cfgPath), shellQuote(content), shellQuote(content), shellQuote(cfgPath))
	return nil
}

// starterName returns the names the starter was written for, English and
// Chinese, as the defaults fill them.
func starterName(o starter.Options) [2]string {
	en, zh := strings.Join(strings.Fields(o.NameEN), " "), strings.Join(strings.Fields(o.NameZH), " ")
	switch {
	case en == "" && zh == "":
		return [2]string{"My Shop", "我的小店"}
	case en == "":
		return [2]string{zh, zh}
	case zh == "":
		return [2]string{en, en}
	}
	return [2]string{en, zh}
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

// shellQuote returns s as one word of a POSIX shell command line.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
