package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/storage/sqlite"
)

// brokenSetup is a setup a new user could get wrong. Paths in config, files
// and the arguments may use {dir}, the case's own folder.
type brokenSetup struct {
	name    string
	config  string                         // written to {dir}/concierge.yaml
	files   map[string]string              // more files under {dir}
	prepare func(t *testing.T, dir string) // what files cannot say
	cfgArg  string                         // --config; default {dir}/concierge.yaml
	dataArg string                         // --data; default {dir}/data
	env     map[string]string
	only    string // "chat" or "serve" when the case applies to one command
	addr    func(t *testing.T) string
	want    string // the one line must contain this
	// opens says the mistake shows only once the data directory is open
	// (training, loading content); every other configuration mistake
	// (exit status 2) is reported before the data directory is created.
	opens bool
}

const goodIntents = `intents:
  - name: greeting
    examples: ["hi", "hello", "good morning"]
  - name: shipping
    examples: ["how long does shipping take", "when will my order arrive", "delivery time"]
`

func brokenSetups() []brokenSetup {
	return []brokenSetup{
		{name: "misspelt top-level key", config: "contnet: ./content\n",
			want: `line 1: unknown key "contnet" — did you mean "content"?`},
		{name: "misspelt nested key", config: "escalation:\n  sla: 15m\n  idle_timout: 24h\n",
			want: `line 3: unknown key "idle_timout" in escalation — did you mean "idle_timeout"?`},
		{name: "misspelt key in a list item", config: "alerts:\n  - kind: webhook\n    ulr: https://hooks.example.com/x\n",
			want: `unknown key "ulr" in alerts[0] — did you mean "url"?`},
		{name: "key at the wrong level", config: "sla: 15m\n", want: `unknown key "sla" — did you mean escalation.sla? (indent it under escalation:)`},
		{name: "unknown key", config: "server:\n  port: 8080\n", want: `unknown key "port" in server; the known keys are addr, public_url`},
		{name: "key written twice", config: "data_dir: ./a\ndata_dir: ./b\n", want: "data_dir is written twice (first on line 1)"},
		{name: "missing content folder", config: "content: {dir}/contnet\n", files: map[string]string{"content/faq.csv": "id,question,answer\n"},
			want: "content: {dir}/contnet does not exist (from {dir}/concierge.yaml line 1) — did you mean {dir}/content?"},
		{name: "content is a file", config: "content: {dir}/faq.csv\n", files: map[string]string{"faq.csv": "id,question,answer\n"},
			want: "content: {dir}/faq.csv is a file, not a folder"},
		{name: "content folder with no documents", config: "content: {dir}/content\n", files: map[string]string{"content/notes.txt": "hello\n"},
			want: "content: {dir}/content has no documents", opens: true},
		{name: "content with only broken files", config: "content: {dir}/content\n",
			files: map[string]string{"content/faq.csv": "id,question\nq1,Where is my parcel?\n"},
			want:  "content: {dir}/content has no usable documents", opens: true},
		{name: "missing intents file", config: "intents: {dir}/intent.yaml\n", files: map[string]string{"intents.yaml": goodIntents},
			want: "intents: {dir}/intent.yaml does not exist (from {dir}/concierge.yaml line 1) — did you mean {dir}/intents.yaml?"},
		{name: "intents file is a folder", config: "intents: {dir}\n", want: "intents: {dir} is a folder, not a file"},
		{name: "intents with an empty examples list", config: "intents: {dir}/intents.yaml\n",
			files: map[string]string{"intents.yaml": "intents:\n  - name: greeting\n    examples: []\n"},
			want:  `intents {dir}/intents.yaml line 2: intent "greeting" has neither examples nor replies`},
		{name: "intents YAML syntax error", config: "intents: {dir}/intents.yaml\n",
			files: map[string]string{"intents.yaml": "intents:\n  - name: greeting\n    examples: [hi, hello\n"},
			want:  "intents {dir}/intents.yaml line"},
		{name: "intents with one example each", config: "intents: {dir}/intents.yaml\n",
			files: map[string]string{"intents.yaml": "intents:\n  - name: greeting\n    examples: [hi]\n  - name: bye\n    examples: [bye]\n"},
			want:  "intents {dir}/intents.yaml: every label needs at least 2 examples", opens: true},
		{name: "missing complaint examples", config: "complaint_examples: {dir}/complaint.csv\n",
			files: map[string]string{"complaints.csv": "text,label\nthe roses wilted,complaint\n"},
			want:  "complaint_examples: {dir}/complaint.csv does not exist (from {dir}/concierge.yaml line 1) — did you mean {dir}/complaints.csv?"},
		{name: "complaint examples with a wrong label", config: "complaint_examples: {dir}/complaints.csv\n",
			files: map[string]string{"complaints.csv": "text,label\nthe roses wilted,complaint\nwhen do you open,question\n"},
			want:  `complaint_examples {dir}/complaints.csv: example 2 ("when do you open") is labelled "question"; the labels are "complaint" and "other"`},
		{name: "complaint examples without a label column", config: "complaint_examples: {dir}/complaints.csv\n",
			files: map[string]string{"complaints.csv": "text\nthe roses wilted\n"},
			want:  `complaint_examples {dir}/complaints.csv:1: header "text" must have the columns text and label`},
		{name: "webhook alert without url", config: "alerts:\n  - kind: webhook\n    secret: s3cret\n",
			want: "line 2: alerts[0].url is missing"},
		{name: "webhook alert without secret", config: "alerts:\n  - kind: webhook\n    url: https://hooks.example.com/x\n",
			want: "line 2: alerts[0].secret is missing"},
		{name: "webhook alert with an unknown format",
			config: "alerts:\n  - kind: webhook\n    format: dingtlak\n    url: https://oapi.dingtalk.com/robot/send\n",
			want:   `alerts[0].format "dingtlak" must be one of generic, wecom, dingtalk, feishu — did you mean "dingtalk"?`},
		{name: "email alert without to", config: "alerts:\n  - kind: email\n    url: smtp://mail.example.com:587\n    from: bot@example.com\n",
			want: "alerts[0].to is missing"},
		{name: "alert without kind", config: "alerts:\n  - url: https://hooks.example.com/x\n", want: "alerts[0].kind is missing"},
		{name: "bad duration", config: "escalation:\n  sla: abc\n",
			want: `line 2: escalation.sla: "abc" is not a duration; write it like 15m or 24h`},
		{name: "duration without unit", config: "bot:\n  timeout: 10\n", want: "bot.timeout: 10 has no unit"},
		{name: "negative timeout", config: "bot:\n  timeout: -5s\n", want: "line 2: bot.timeout -5s must not be negative"},
		{name: "list where one value is wanted", config: "server:\n  addr: [a, b]\n", want: "server.addr must be a single value, not a list"},
		{name: "api key without a name", config: "api:\n  keys:\n    - key: 0123456789abcdef0123\n      scopes: [messages]\n",
			want: "line 3: api.keys[0].name is missing"},
		{name: "two api keys with one name",
			config: "api:\n  keys:\n    - {name: app, key: 0123456789abcdef0123, scopes: [messages]}\n    - {name: app, key: abcdefabcdefabcdef01, scopes: [messages]}\n",
			want:   `line 4: api.keys[1].name "app" is already used by api.keys[0]`},
		{name: "api key with an unknown scope", config: "api:\n  keys:\n    - name: crm\n      key: 0123456789abcdef0123\n      scopes: [customer:read]\n",
			want: `line 5: api.keys[0].scopes[0] "customer:read" is not a scope; use messages, customers:read, customers:write — did you mean "customers:read"?`},
		{name: "empty api key", config: "api:\n  keys:\n    - name: crm\n      key: \"\"\n      scopes: [messages]\n",
			want: "line 4: api.keys[0].key is empty"},
		{name: "unset environment variable", config: "api:\n  keys: [\"${CONCIERGE_TEST_UNSET}\"]\n",
			want: "line 2: ${CONCIERGE_TEST_UNSET} is not set in the environment"},
		{name: "config file is a folder", cfgArg: "{dir}/conf", files: map[string]string{"conf/concierge.yaml": ""},
			want: "config file {dir}/conf is a folder, not a YAML file — did you mean {dir}/conf/concierge.yaml?"},
		{name: "config file missing", cfgArg: "{dir}/concierge.yml", config: "",
			want: "config file {dir}/concierge.yml does not exist — did you mean {dir}/concierge.yaml?"},
		{name: "garbage config", files: map[string]string{"concierge.yaml": "\x00\x01\x02PK\x03\x04\xff\xfe"},
			want: "is not a YAML config file"},
		{name: "config that is not a mapping", config: "just some words\n",
			want: `the config must be a set of keys (such as data_dir, content, intents), not "just some words"`},
		{name: "tab in the indentation", config: "server:\n\taddr: 127.0.0.1:8080\n", want: "indent with spaces, not tabs"},
		{name: "data dir is a file", dataArg: "{dir}/datafile", files: map[string]string{"datafile": "x"},
			want: "data_dir: {dir}/datafile is a file, not a folder (from the --data flag)"},
		{name: "data dir below a file", dataArg: "{dir}/datafile/data", files: map[string]string{"datafile": "x"},
			want: "data_dir: {dir}/datafile/data cannot be created: {dir}/datafile is a file"},
		{name: "unwritable data dir", prepare: func(t *testing.T, dir string) {
			if os.Geteuid() == 0 {
				t.Skip("root writes in a read-only folder; 'data dir below a file' covers this")
			}
			if err := os.Mkdir(filepath.Join(dir, "data"), 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.Chmod(filepath.Join(dir, "data"), 0o700) })
		}, want: "data_dir: cannot write in {dir}/data: permission denied"},
		{name: "garbage database file", files: map[string]string{"data/concierge.db": strings.Repeat("not a database ", 512)},
			want: "database data/concierge.db is not a Concierge database or is damaged"},
		{name: "database from a newer concierge", prepare: newerDatabase,
			want: "database data/concierge.db was written by a newer version of concierge"},
		{name: "intent model cannot be saved", files: map[string]string{"data/intents": "a file where a folder belongs"},
			want: "the intent model cannot be saved in {dir}/data/intents: not a directory"},
		{name: "llm base_url without scheme", config: "llm:\n  base_url: localhost:11434\n  model: qwen2.5\n",
			want: `llm.base_url "localhost:11434" must be an http or https URL — did you mean "http://localhost:11434"?`},
		{name: "llm prompts folder missing", config: "llm:\n  base_url: http://127.0.0.1:9/v1\n  model: m\n  prompts_dir: {dir}/prompts\n",
			want: "llm.prompts_dir: {dir}/prompts does not exist"},
		{name: "slack bot token without signing secret or app token", config: "slack:\n  bot_token: xoxb-123\n",
			want: "slack.signing_secret (Events API) or slack.app_token (Socket Mode) is required with slack.bot_token"},
		{name: "wecom without token", config: "wecom:\n  corp_id: ww1436e0e65a779aee\n  agent_id: 1000002\n  secret: s\n  encoding_aes_key: 6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt\n",
			want: "line 1: wecom.token is missing: copy the Token of the app's 接收消息 API settings"},
		{name: "wecom encoding_aes_key cut short", config: "wecom:\n  corp_id: ww1436e0e65a779aee\n  kf_secret: k\n  token: t\n  encoding_aes_key: 6qkdMrq68nTKduznJYO1A37W2oEgpkMUvktt\n",
			want: "line 5: wecom.encoding_aes_key is not the one the admin console generated: encoding_aes_key must be 43 characters, not 36"},
		{name: "wecom secret without agent_id", config: "wecom:\n  corp_id: ww1436e0e65a779aee\n  secret: s\n  token: t\n  encoding_aes_key: 6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt\n",
			want: "line 1: wecom.agent_id is missing"},
		{name: "wecom without any secret", config: "wecom:\n  corp_id: ww1436e0e65a779aee\n  token: t\n  encoding_aes_key: 6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt\n",
			want: "line 1: wecom.secret or wecom.kf_secret is required"},
		{name: "wecom secret variable not set", config: "wecom:\n  corp_id: ww1436e0e65a779aee\n  agent_id: 1000002\n  secret: ${WECOM_SECRET}\n  token: t\n  encoding_aes_key: 6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt\n",
			want: "line 4: ${WECOM_SECRET} is not set in the environment"},
		{name: "wecom api_url without scheme", config: "wecom:\n  corp_id: ww1436e0e65a779aee\n  kf_secret: k\n  token: t\n  encoding_aes_key: 6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt\n  api_url: qyapi.weixin.qq.com\n",
			want: `line 6: wecom.api_url "qyapi.weixin.qq.com" must be an http or https URL`},
		{name: "feishu HTTP events without an encrypt key",
			config: "feishu:\n  app_id: cli_a1b2c3\n  app_secret: ${FEISHU_APP_SECRET}\n", env: map[string]string{"FEISHU_APP_SECRET": "s"},
			want: "line 1: feishu.encrypt_key is missing: events over HTTP at /feishu/events need the Encrypt Key"},
		{name: "feishu without app secret", config: "feishu:\n  app_id: cli_a1b2c3\n  long_connection: true\n",
			want: "line 1: feishu.app_secret is missing"},
		{name: "feishu api_url without scheme", config: "feishu:\n  app_id: cli_a1b2c3\n  app_secret: s\n  long_connection: true\n  api_url: open.larksuite.com\n",
			want: `line 5: feishu.api_url "open.larksuite.com" must be an http or https URL`},
		{name: "feishu encrypt key variable not set", config: "feishu:\n  app_id: cli_a1b2c3\n  app_secret: s\n  encrypt_key: ${FEISHU_ENCRYPT_KEY}\n",
			want: "line 4: ${FEISHU_ENCRYPT_KEY} is not set in the environment"},
		{name: "dingtalk without app secret", config: "dingtalk:\n  app_key: dingabc\n  stream: true\n",
			want: "line 1: dingtalk.app_secret is missing: copy the Client Secret (AppSecret)"},
		{name: "dingtalk api_url without scheme", config: "dingtalk:\n  app_key: dingabc\n  app_secret: s\n  api_url: api.dingtalk.com\n",
			want: `line 4: dingtalk.api_url "api.dingtalk.com" must be an http or https URL`},
		{name: "dingtalk without app key", config: "dingtalk:\n  app_secret: s\n  stream: true\n",
			want: "line 1: dingtalk.app_key is missing"},
		{name: "dingtalk customer chat left empty", config: "dingtalk:\n  app_key: dingabc\n  app_secret: s\n  customer_chats: [\"\"]\n",
			want: "line 4: dingtalk.customer_chats[0] is empty"},
		{name: "feishu alert without the feishu section", config: "alerts:\n  - kind: feishu\n    to: oc_alerts\n",
			want: "line 2: alerts[0] is a Feishu alert: the feishu section (app_id, app_secret) is required"},
		{name: "dingtalk alert without to", config: "dingtalk:\n  app_key: dingabc\n  app_secret: s\nalerts:\n  - kind: dingtalk\n",
			want: "line 5: alerts[0].to must name the DingTalk group"},
		{name: "alert kind misspelt", config: "alerts:\n  - kind: dingtlak\n    to: cid1\n",
			want: `alerts[0].kind "dingtlak" must be one of slack, email, webhook, feishu, dingtalk — did you mean "dingtalk"?`},
		{name: "console agent with a bad password hash",
			config: "console:\n  agents:\n    - name: alice\n      password_hash: $2a$10$tooshort\n",
			want:   "line 4: console.agents[0].password_hash is not a bcrypt hash"},
		{name: "bad listen address in the config", config: "server:\n  addr: \"8080\"\n",
			want: `server.addr "8080" must be host:port, like 127.0.0.1:8080 or :8080`},
		{name: "port in use", only: "serve", addr: busyPort, want: "cannot listen on"},
	}
}

// busyPort returns a loopback address a listener of the test holds until
// the test ends.
func busyPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// newerDatabase leaves in {dir}/data a database whose schema version is
// beyond this binary's.
func newerDatabase(t *testing.T, dir string) {
	path := filepath.Join(dir, "data", "concierge.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("PRAGMA user_version = 9999"); err != nil {
		t.Fatal(err)
	}
}

// openFDs counts the open file descriptors of the process; -1 where /proc
// is missing.
func openFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

// settle waits up to 5 s for the goroutines and file descriptors of the
// process to come back down to before, and returns the counts it saw last.
func settle(goroutines, fds int) (int, int) {
	var g, f int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		g, f = runtime.NumGoroutine(), openFDs()
		if (g <= goroutines && f <= fds) || time.Now().After(deadline) {
			return g, f
		}
	}
}

// prepareBroken writes the files of a broken setup into dir.
func prepareBroken(t *testing.T, bs brokenSetup, dir string) {
	t.Helper()
	if _, own := bs.files["concierge.yaml"]; !own {
		if err := os.WriteFile(filepath.Join(dir, "concierge.yaml"), []byte(strings.ReplaceAll(bs.config, "{dir}", dir)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range bs.files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if bs.prepare != nil {
		bs.prepare(t, dir)
	}
}

// runBroken runs one command of one broken setup in-process and returns its
// exit status and stderr.
func runBroken(t *testing.T, bs brokenSetup, command, dir, addr string) (int, string) {
	t.Helper()
	expand := func(s string) string { return strings.ReplaceAll(s, "{dir}", dir) }
	cfgArg, dataArg := "{dir}/concierge.yaml", "{dir}/data"
	if bs.cfgArg != "" {
		cfgArg = bs.cfgArg
	}
	if bs.dataArg != "" {
		dataArg = bs.dataArg
	}
	args := []string{command, "--config", expand(cfgArg), "--data", expand(dataArg)}
	stdin := ""
	switch command {
	case "chat":
		args = append(args, "--json")
		stdin = "How long does shipping take?\n"
	case "serve":
		args = append(args, "--addr", addr)
	}
	// A broken setup must stop the command by itself; the deadline only
	// ends a serve that started anyway, which fails the case below.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr, envOf(bs.env))
	if ctx.Err() != nil {
		t.Errorf("%s ran until the test stopped it: the broken setup was not refused", command)
	}
	return code, stderr.String()
}

// TestBrokenSetups runs chat and serve against setups a new user gets wrong:
// each must exit with status 1 or 2 and one line on stderr (no panic, no
// stack) that says what to fix, and leave no goroutine or file descriptor
// behind. With -v it logs the line each case prints.
func TestBrokenSetups(t *testing.T) {
	if testing.Short() {
		t.Skip("runs chat and serve on every broken setup and counts what each leaves behind (about 8 s); the full suite runs it")
	}
	setups := brokenSetups()
	if n := len(setups); n < 20 {
		t.Fatalf("only %d broken setups; the issue asks for at least 20", n)
	}
	// Warm up what a process starts once and keeps (the signal watcher of
	// serve, the network poller, package caches), so that only what a run
	// leaves behind is counted.
	for _, command := range []string{"chat", "serve"} {
		for _, bs := range setups {
			if bs.name == "garbage database file" { // gets as far as opening the store
				dir := t.TempDir()
				prepareBroken(t, bs, dir)
				runBroken(t, bs, command, dir, "127.0.0.1:0")
			}
		}
	}
	var report []string
	for _, bs := range setups {
		for _, command := range []string{"chat", "serve"} {
			if bs.only != "" && bs.only != command {
				continue
			}
			t.Run(command+"/"+bs.name, func(t *testing.T) {
				dir := t.TempDir()
				prepareBroken(t, bs, dir)
				// Relative paths in the expectations are from the case's
				// folder; commands run in the test's working directory.
				want := strings.ReplaceAll(strings.ReplaceAll(bs.want, "{dir}", dir), " data/concierge.db", " "+filepath.Join(dir, "data", "concierge.db"))
				addr := "127.0.0.1:0"
				if bs.addr != nil {
					addr = bs.addr(t)
				}
				goroutines, fds := runtime.NumGoroutine(), openFDs()

				code, errOut := runBroken(t, bs, command, dir, addr)

				line := strings.TrimSuffix(errOut, "\n")
				report = append(report, fmt.Sprintf("%-5s  %-52s  exit %d  %s", command, bs.name, code,
					strings.ReplaceAll(line, dir, "{dir}")))
				if code != 1 && code != 2 {
					t.Errorf("exit status %d, want 1 or 2", code)
				}
				if strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(errOut, "\n") {
					t.Errorf("stderr is not exactly one line:\n%s", errOut)
				}
				for _, bad := range []string{"panic", "goroutine", ".go:", "runtime error"} {
					if strings.Contains(errOut, bad) {
						t.Errorf("stderr contains %q:\n%s", bad, errOut)
					}
				}
				if _, err := os.Stat(filepath.Join(dir, "data")); code == 2 && !bs.opens && bs.dataArg == "" && err == nil {
					t.Errorf("a configuration mistake created the data directory before it was reported")
				}
				if !strings.Contains(line, want) {
					t.Errorf("stderr does not say what to fix:\n got %s\nwant it to contain %s", line, want)
				}
				if g, f := settle(goroutines, fds); g > goroutines || f > fds {
					var dump bytes.Buffer
					_ = pprof.Lookup("goroutine").WriteTo(&dump, 1)
					t.Errorf("left behind: goroutines %d -> %d, file descriptors %d -> %d\n%s", goroutines, g, fds, f, dump.String())
				}
			})
		}
	}
	t.Logf("what each broken setup prints ({dir} is the case's folder):\n%s", strings.Join(report, "\n"))
}

// TestPanicIsOneSentence checks the last resort: a panic on run's goroutine
// (here from getenv, while the config's ${X} is expanded) is printed as one
// sentence with exit status 1, not as a stack trace.
func TestPanicIsOneSentence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "concierge.yaml")
	if err := os.WriteFile(cfg, []byte("api:\n  keys: [\"${X}\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"chat", "--config", cfg, "--data", filepath.Join(dir, "data")},
		strings.NewReader(""), &stdout, &stderr, func(string) string { panic("getenv broke\non two lines") })
	if code != 1 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "internal error: getenv broke; on two lines") ||
		strings.Contains(stderr.String(), "goroutine") {
		t.Errorf("exit %d, stderr %q; want 1 and one sentence", code, stderr.String())
	}
}
