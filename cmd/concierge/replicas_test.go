package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/console"
	"github.com/concierge-bot/concierge/storage/postgres"
	"github.com/concierge-bot/concierge/storage/postgres/pgtest"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// The replica tests run real `concierge serve` processes (this test binary
// re-executed) on one throw-away PostgreSQL database, on loopback only.

// TestReplicaChild is the child process of the replica tests: it runs the
// concierge command line in CONCIERGE_REPLICA_ARGS until it is killed.
func TestReplicaChild(t *testing.T) {
	args := os.Getenv("CONCIERGE_REPLICA_ARGS")
	if args == "" {
		t.Skip("run by the replica tests")
	}
	os.Exit(run(context.Background(), strings.Fields(args), os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

type replica struct {
	t      *testing.T
	name   string
	addr   string
	data   string
	config string
	cmd    *exec.Cmd
	out    *bytes.Buffer
	done   chan struct{}
}

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func newReplica(t *testing.T, name, config string) *replica {
	return &replica{t: t, name: name, addr: freeAddr(t), data: filepath.Join(t.TempDir(), name), config: config}
}

// start runs the replica and waits until its /healthz answers.
func (r *replica) start() {
	r.t.Helper()
	r.out = &bytes.Buffer{}
	r.cmd = exec.Command(os.Args[0], "-test.run=^TestReplicaChild$")
	r.cmd.Env = append(os.Environ(), "CONCIERGE_REPLICA_ARGS=serve --config "+r.config+" --data "+r.data+" --addr "+r.addr)
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.done = make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	r.t.Cleanup(func() {
		r.stop()
		if r.t.Failed() {
			r.t.Logf("replica %s output:\n%s", r.name, lastLines(r.out.String(), 40))
		}
	})
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-r.done:
			r.t.Fatalf("replica %s exited while starting:\n%s", r.name, r.out)
		default:
		}
		if resp, err := http.Get("http://" + r.addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	r.t.Fatalf("replica %s did not start:\n%s", r.name, r.out)
}

// kill ends the replica with SIGKILL: no shutdown, no flush.
func (r *replica) kill() {
	_ = r.cmd.Process.Kill()
	<-r.done
}

// stop ends the replica gracefully (SIGTERM) if it still runs.
func (r *replica) stop() {
	select {
	case <-r.done:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(15 * time.Second):
		r.kill()
	}
}

func (r *replica) url() string { return "http://" + r.addr }

// roundRobin is a plain round-robin reverse proxy without sticky sessions:
// each request goes to the next replica; a replica that refuses the
// connection answers 502, as a simple proxy would, and the client retries.
func roundRobin(t *testing.T, replicas []*replica) *httptest.Server {
	var next atomic.Uint64
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			r := replicas[next.Add(1)%uint64(len(replicas))]
			u, _ := url.Parse(r.url())
			pr.SetURL(u)
			pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) { w.WriteHeader(http.StatusBadGateway) },
	}
	ts := httptest.NewServer(proxy)
	t.Cleanup(ts.Close)
	return ts
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const replicaAPIKey = "replica-test-key-0123456789"

// alertSink counts the webhook deliveries by Idempotency-Key.
type alertSink struct {
	mu   sync.Mutex
	keys map[string]int
}

func newAlertSink(t *testing.T) (*alertSink, *httptest.Server) {
	s := &alertSink{keys: map[string]int{}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		s.mu.Lock()
		s.keys[r.Header.Get("Idempotency-Key")]++
		s.mu.Unlock()
	}))
	t.Cleanup(ts.Close)
	return s, ts
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// doJSON sends a JSON request and decodes a JSON answer; status 0 means
// the request did not complete.
func doJSON(c *http.Client, method, url string, header map[string]string, body any, out any) int {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 && out != nil && json.Unmarshal(b, out) != nil {
		return 0
	}
	return resp.StatusCode
}

// TestReplicasUnderKill runs three serve replicas on one PostgreSQL behind a
// round-robin proxy, with 16 widget visitors and 16 API clients for 30 s;
// one replica is killed with SIGKILL at 10 s and started again at 20 s.
// Every acknowledged message is stored exactly once, every inbound message
// has at most one reply, every agent reply reaches its visitor (who polls
// whichever replica the proxy picks), and every alert reaches the webhook
// sink exactly once.
func TestReplicasUnderKill(t *testing.T) {
	if testing.Short() {
		t.Skip("replica test skipped in -short mode")
	}
	dbURL := pgtest.Database(t)
	dir := t.TempDir()
	sink, sinkSrv := newAlertSink(t)
	cfg := writeFile(t, filepath.Join(dir, "replicas.yaml"), fmt.Sprintf(`database: %s
database_pool:
  max_conns: 12
  outbox_lease: 3s
api:
  keys: [%q]
server:
  trusted_proxies: ["127.0.0.1/32"]
alerts:
  - name: managers
    kind: webhook
    format: generic
    url: %s/hook
    secret: replica-test-secret
`, dbURL, replicaAPIKey, sinkSrv.URL))
	replicas := []*replica{newReplica(t, "a", cfg), newReplica(t, "b", cfg), newReplica(t, "c", cfg)}
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Go(r.start)
	}
	wg.Wait()
	proxy := roundRobin(t, replicas)
	db, err := postgres.Open(context.Background(), postgres.Options{URL: dbURL, MaintenanceInterval: -1, Migrate: postgres.MigrateNone})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	const (
		visitors = 16
		apis     = 16
		runFor   = 30 * time.Second
	)
	ctx, stop := context.WithTimeout(context.Background(), runFor)
	defer stop()
	start := time.Now()
	client := &http.Client{Timeout: 60 * time.Second}

	type sent struct {
		text  string
		acked bool
		reply int64 // the bot reply's id in the acknowledgement, 0 without
	}
	var mu sync.Mutex
	var messages []sent
	var retries atomic.Int64
	record := func(s sent) { mu.Lock(); messages = append(messages, s); mu.Unlock() }

	// Widget visitors: a session, then a message about every 1.2 s (the
	// per-visitor limit is 1/s), each retried with its client id until
	// acknowledged; and a long-poll loop that collects what arrives.
	type visitor struct {
		id, token string
		mu        sync.Mutex
		got       map[int64]time.Time
	}
	vs := make([]*visitor, visitors)
	for i := range vs {
		var sr struct {
			VisitorID string `json:"visitor_id"`
			Token     string `json:"token"`
		}
		if st := doJSON(client, "POST", proxy.URL+"/api/v1/widget/session", map[string]string{"X-Forwarded-For": fmt.Sprintf("10.1.0.%d", i+1)}, struct{}{}, &sr); st != 200 {
			t.Fatalf("widget session: status %d", st)
		}
		vs[i] = &visitor{id: sr.VisitorID, token: sr.Token, got: map[int64]time.Time{}}
	}
	questions := []string{"How long does shipping take?", "What are your opening hours?", "Do you ship to Europe?",
		"Which tea would you recommend for a beginner?", "This is unacceptable, my order arrived broken, I want to complain!"}
	var load sync.WaitGroup
	for i, v := range vs {
		hdr := map[string]string{"Authorization": "Bearer " + v.token, "X-Forwarded-For": fmt.Sprintf("10.1.0.%d", i+1)}
		load.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				text := fmt.Sprintf("%s [w%d #%d]", questions[(i+n)%len(questions)], i, n)
				body := map[string]string{"client_id": fmt.Sprintf("w%02d-%06d", i, n), "text": text}
				s := sent{text: text}
				for attempt := 0; attempt < 200; attempt++ {
					var resp struct {
						Reply *struct {
							ID int64 `json:"id"`
						} `json:"reply"`
					}
					st := doJSON(client, "POST", proxy.URL+"/api/v1/widget/messages", hdr, body, &resp)
					if st == 200 {
						s.acked = true
						if resp.Reply != nil {
							s.reply = resp.Reply.ID
						}
						break
					}
					if st == 400 || st == 401 {
						break
					}
					retries.Add(1)
					time.Sleep(100 * time.Millisecond)
				}
				record(s)
				select {
				case <-ctx.Done():
				case <-time.After(1200 * time.Millisecond):
				}
			}
		})
		load.Go(func() { // the long-poll loop, until a while after the load stops
			after := int64(0)
			for time.Since(start) < runFor+20*time.Second {
				var resp struct {
					Messages []struct {
						ID     int64  `json:"id"`
						Author string `json:"author"`
					} `json:"messages"`
					LastID int64 `json:"last_id"`
				}
				st := doJSON(client, "GET", fmt.Sprintf("%s/api/v1/widget/messages?after=%d&wait=5", proxy.URL, after), hdr, nil, &resp)
				if st != 200 {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				now := time.Now()
				v.mu.Lock()
				for _, m := range resp.Messages {
					if _, seen := v.got[m.ID]; !seen {
						v.got[m.ID] = now
					}
				}
				v.mu.Unlock()
				after = max(after, resp.LastID)
			}
		})
	}
	// API clients: as fast as they are answered, each message with its own
	// Idempotency-Key, retried until acknowledged.
	for i := range apis {
		load.Go(func() {
			hdr := map[string]string{"Authorization": "Bearer " + replicaAPIKey}
			for n := 0; ctx.Err() == nil; n++ {
				text := fmt.Sprintf("%s [a%d #%d]", questions[(i+n)%len(questions)], i, n)
				hdr["Idempotency-Key"] = fmt.Sprintf("a%02d-%06d", i, n)
				body := map[string]string{"channel": "api", "user_id": fmt.Sprintf("api-user-%d", i), "text": text}
				s := sent{text: text}
				for attempt := 0; attempt < 200; attempt++ {
					var resp web_MessageResponse
					st := doJSON(client, "POST", proxy.URL+"/api/v1/messages", hdr, body, &resp)
					if st == 200 {
						s.acked = true
						break
					}
					if st == 400 || st == 401 {
						break
					}
					retries.Add(1)
					time.Sleep(100 * time.Millisecond)
				}
				record(s)
			}
		})
	}
	// An agent replies to the visitors now and then, writing through the
	// store as a fourth process would; the visitors' pollers must see it.
	type agentReply struct {
		visitor int
		id      int64
		at      time.Time
	}
	var replies []agentReply
	load.Go(func() {
		for n := 0; ctx.Err() == nil; n++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(700 * time.Millisecond):
			}
			i := n % visitors
			var conv bot.ConversationID
			err := db.Pool().QueryRow(ctx, `SELECT c.id FROM conversations c JOIN channel_identities i
				ON i.customer_id = c.customer_id AND i.channel = c.channel
				WHERE i.channel = 'web' AND i.external_id = $1 AND c.status <> 'resolved'`, vs[i].id).Scan(&conv)
			if err != nil {
				continue
			}
			id, err := db.AppendAgentMessage(ctx, conv, "agent-ann", fmt.Sprintf("Agent note %d", n))
			if err != nil {
				continue
			}
			mu.Lock()
			replies = append(replies, agentReply{visitor: i, id: id, at: time.Now()})
			mu.Unlock()
		}
	})

	// The kill: one replica at 10 s, back at 20 s.
	time.Sleep(10 * time.Second)
	replicas[1].kill()
	t.Logf("killed replica b at %v", time.Since(start).Round(time.Millisecond))
	time.Sleep(10 * time.Second)
	replicas[1].start()
	t.Logf("replica b back at %v", time.Since(start).Round(time.Millisecond))
	load.Wait()

	// Every acknowledged message is stored once; no message twice.
	counts := map[string]int{}
	rows, err := db.Pool().Query(context.Background(), `SELECT text, count(*) FROM messages WHERE inbound GROUP BY text`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var text string
		var n int
		if err := rows.Scan(&text, &n); err != nil {
			t.Fatal(err)
		}
		counts[text] = n
	}
	rows.Close()
	acked, lost, dup := 0, 0, 0
	for _, s := range messages {
		n := counts[s.text]
		if s.acked {
			acked++
			if n == 0 {
				lost++
				t.Errorf("acknowledged message %q is not stored", s.text)
			}
		}
		if n > 1 {
			dup++
			t.Errorf("message %q stored %d times", s.text, n)
		}
	}
	var twice int
	if err := db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM (SELECT reply_to FROM messages
		WHERE author = 'bot' AND reply_to IS NOT NULL GROUP BY reply_to HAVING count(*) > 1) x`).Scan(&twice); err != nil {
		t.Fatal(err)
	}
	if twice > 0 {
		t.Errorf("%d inbound messages have more than one bot reply", twice)
	}
	for _, s := range messages {
		if s.reply != 0 {
			var n int
			_ = db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE id = $1 AND author = 'bot'`, s.reply).Scan(&n)
			if n != 1 {
				t.Errorf("acknowledged reply %d of %q is not stored", s.reply, s.text)
			}
		}
	}
	// Every agent reply reached its visitor; how long it took.
	var lat []time.Duration
	missing := 0
	for _, r := range replies {
		v := vs[r.visitor]
		v.mu.Lock()
		at, ok := v.got[r.id]
		v.mu.Unlock()
		if !ok {
			missing++
			t.Errorf("agent reply %d never reached visitor %d", r.id, r.visitor)
			continue
		}
		lat = append(lat, max(0, at.Sub(r.at)))
	}
	// Every alert reached the sink once, when the outbox has drained.
	deadline := time.Now().Add(90 * time.Second)
	var pending int
	for time.Now().Before(deadline) {
		_ = db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE delivered IS NULL AND NOT dead`).Scan(&pending)
		if pending == 0 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	var escalations, outboxKeys int
	_ = db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM escalations`).Scan(&escalations)
	_ = db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM outbox`).Scan(&outboxKeys)
	sink.mu.Lock()
	distinct, twiceDelivered := len(sink.keys), 0
	for k, n := range sink.keys {
		if n > 1 {
			twiceDelivered++
			t.Errorf("alert %s delivered %d times", k, n)
		}
	}
	sink.mu.Unlock()
	if pending > 0 || distinct != outboxKeys || escalations == 0 {
		t.Errorf("alerts: %d escalations, %d outbox items, %d delivered, %d pending; want every item delivered",
			escalations, outboxKeys, distinct, pending)
	}
	t.Logf("replicas: %d messages sent (%d acknowledged, %d retries through the proxy), %d lost, %d duplicated; "+
		"%d escalations, %d alerts delivered, %d twice; %d agent replies, %d missing, to a visitor on any replica p50 %v p99 %v max %v",
		len(messages), acked, retries.Load(), lost, dup, escalations, distinct, twiceDelivered, len(replies), missing,
		percentile(lat, 0.5), percentile(lat, 0.99), percentile(lat, 1))
}

// web_MessageResponse is the part of the REST answer the test reads.
type web_MessageResponse struct {
	ConversationID int64 `json:"conversation_id"`
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleAgent signs in to one replica's console.
type consoleAgent struct {
	base string
	c    *http.Client
	csrf string
}

func signIn(t *testing.T, base, name, password string) *consoleAgent {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	a := &consoleAgent{base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	a.get(t, "/console/login")
	if st := a.post(t, "/console/login", url.Values{"name": {name}, "password": {password}}); st != http.StatusSeeOther {
		t.Fatalf("sign in %s at %s: status %d", name, base, st)
	}
	a.get(t, "/console")
	return a
}

func (a *consoleAgent) get(t *testing.T, path string) {
	resp, err := a.c.Get(a.base + path)
	if err != nil {
		t.Fatal(err)
	}
	a.read(resp)
}

func (a *consoleAgent) read(resp *http.Response) int {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(b); m != nil {
		a.csrf = html.UnescapeString(string(m[1]))
	}
	return resp.StatusCode
}

func (a *consoleAgent) post(t *testing.T, path string, form url.Values) int {
	form.Set("csrf", a.csrf)
	resp, err := a.c.PostForm(a.base+path, form)
	if err != nil {
		return 0
	}
	return a.read(resp)
}

// TestReplicasTakeOverRace: two agents, signed in to two replicas, take
// over the same 100 escalated conversations at the same moment: each
// conversation has exactly one owner, and one taken_over event.
func TestReplicasTakeOverRace(t *testing.T) {
	if testing.Short() {
		t.Skip("replica test skipped in -short mode")
	}
	dbURL := pgtest.Database(t)
	hash, err := console.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(t.TempDir(), "c.yaml"), fmt.Sprintf(`database: %s
console:
  agents:
    - {name: alice, password_hash: %q}
    - {name: bob, password_hash: %q}
`, dbURL, hash, hash))
	a, b := newReplica(t, "a", cfg), newReplica(t, "b", cfg)
	var wg sync.WaitGroup
	wg.Go(a.start)
	wg.Go(b.start)
	wg.Wait()
	db, err := postgres.Open(context.Background(), postgres.Options{URL: dbURL, MaintenanceInterval: -1, Migrate: postgres.MigrateNone})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var convs []bot.ConversationID
	for i := range 100 {
		conv, in, err := db.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: fmt.Sprintf("race-%d", i), Text: "a person please"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: "A colleague will be with you.",
			Action: bot.ActionEscalate, Escalation: &bot.Escalation{Reason: bot.ReasonRequestedHuman, Severity: "normal"}}); err != nil {
			t.Fatal(err)
		}
		convs = append(convs, conv.ID)
	}
	alice := signIn(t, a.url(), "alice", "correct horse battery")
	bob := signIn(t, b.url(), "bob", "correct horse battery")
	wins := map[string]int{}
	var mu sync.Mutex
	for _, id := range convs {
		path := "/console/c/" + strconv.FormatInt(int64(id), 10) + "/takeover"
		var race sync.WaitGroup
		statuses := make([]int, 2)
		race.Go(func() { statuses[0] = alice.post(t, path, url.Values{}) })
		race.Go(func() { statuses[1] = bob.post(t, path, url.Values{}) })
		race.Wait()
		ok := 0
		for i, st := range statuses {
			switch st {
			case http.StatusSeeOther:
				ok++
				mu.Lock()
				wins[[]string{"alice", "bob"}[i]]++
				mu.Unlock()
			case http.StatusConflict:
			default:
				t.Errorf("conversation %d: takeover answered %d", id, st)
			}
		}
		if ok != 1 {
			t.Errorf("conversation %d: %d takeovers succeeded, want exactly 1 (statuses %v)", id, ok, statuses)
		}
	}
	var owners, events int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM conversations WHERE status = 'human' AND assignee IN ('alice', 'bob')`).Scan(&owners); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM customer_events WHERE kind = 'taken_over'`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if owners != 100 || events != 100 {
		t.Errorf("%d conversations owned, %d taken_over events; want 100 and 100", owners, events)
	}
	t.Logf("takeover race on 100 conversations across 2 replicas: alice won %d, bob %d; every conversation one owner", wins["alice"], wins["bob"])
}

// TestReplicasSlackRetry delivers the same Slack event (a retry) to two
// replicas at once: the question is answered once.
func TestReplicasSlackRetry(t *testing.T) {
	if testing.Short() {
		t.Skip("replica test skipped in -short mode")
	}
	dbURL := pgtest.Database(t)
	var posts atomic.Int64
	slackAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/auth.test"):
			fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","bot_id":"BBOT","team_id":"T1"}`)
		case strings.HasSuffix(r.URL.Path, "/chat.postMessage"):
			posts.Add(1)
			fmt.Fprint(w, `{"ok":true,"channel":"D1","ts":"1700000001.000200"}`)
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	defer slackAPI.Close()
	const secret = "slack-signing-secret-for-tests"
	cfg := writeFile(t, filepath.Join(t.TempDir(), "s.yaml"), fmt.Sprintf(`database: %s
slack:
  bot_token: xoxb-test
  signing_secret: %s
  api_url: %s/api/
`, dbURL, secret, slackAPI.URL))
	a, b := newReplica(t, "a", cfg), newReplica(t, "b", cfg)
	var wg sync.WaitGroup
	wg.Go(a.start)
	wg.Go(b.start)
	wg.Wait()
	event := `{"token":"x","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"Ev0001","event_time":1700000000,
		"event":{"type":"message","channel_type":"im","user":"U1","channel":"D1","text":"How long does shipping take?","ts":"1700000000.000100"}}`
	send := func(r *replica, retry string) int {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte("v0:" + ts + ":" + event))
		req, _ := http.NewRequest("POST", r.url()+"/slack/events", strings.NewReader(event))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
		if retry != "" {
			req.Header.Set("X-Slack-Retry-Num", retry)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	var race sync.WaitGroup
	var st [2]int
	race.Go(func() { st[0] = send(a, "") })
	race.Go(func() { st[1] = send(b, "1") })
	race.Wait()
	if st[0] != 200 || st[1] != 200 {
		t.Fatalf("event deliveries answered %v, want 200 and 200", st)
	}
	deadline := time.Now().Add(30 * time.Second)
	for posts.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // room for a second, wrong answer to arrive
	if n := posts.Load(); n != 1 {
		t.Errorf("the event delivered to two replicas was answered %d times, want once", n)
	}
	db, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	var stored int
	_ = db.QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE inbound`).Scan(&stored)
	if stored != 1 {
		t.Errorf("%d inbound messages stored, want 1", stored)
	}
}

// TestMigrateFromSQLite seeds a SQLite shop with 30 days of demo traffic,
// moves it to PostgreSQL with `concierge migrate --from sqlite`, and checks
// that every count and `concierge report --json` are the same.
func TestMigrateFromSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("migration test skipped in -short mode")
	}
	dbURL := pgtest.Database(t)
	dir := t.TempDir()
	sq := filepath.Join(dir, "sqlite")
	if code, _, errOut := runCLI(t, "", "demo", "seed", "--days", "30", "--data", sq); code != 0 {
		t.Fatalf("demo seed: exit %d: %s", code, errOut)
	}
	// A console sign-out moves too (ids are bytes).
	signedOut := []byte("signed-out\x00\xfe session")
	sdb, err := sqlite.Open(context.Background(), filepath.Join(sq, "concierge.db"), sqlite.Options{MaintenanceInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := sdb.RevokeSession(context.Background(), signedOut, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := sdb.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(dir, "pg.yaml"), "database: "+dbURL+"\n")
	code, out, errOut := runCLI(t, "", "migrate", "--config", cfg, "--data", filepath.Join(dir, "pg"),
		"--from", "sqlite", filepath.Join(sq, "concierge.db"))
	if code != 0 {
		t.Fatalf("migrate --from sqlite: exit %d: %s\n%s", code, errOut, out)
	}
	t.Logf("migrate --from sqlite:\n%s", out)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] != "table" && f[1] != f[2] {
			t.Errorf("table %s: %s rows in SQLite, %s in PostgreSQL", f[0], f[1], f[2])
		}
	}
	pdb, err := postgres.Open(context.Background(), postgres.Options{URL: dbURL, MaintenanceInterval: -1, Migrate: postgres.MigrateNone})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := pdb.SessionRevoked(context.Background(), signedOut); err != nil || !r {
		t.Errorf("the sign-out after the migration: revoked %v, %v; want true", r, err)
	}
	pdb.Close()
	report := func(args ...string) map[string]any {
		t.Helper()
		code, out, errOut := runCLI(t, "", append([]string{"report", "--json", "--since", "60d"}, args...)...)
		if code != 0 {
			t.Fatalf("report %v: exit %d: %s", args, code, errOut)
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		delete(r, "generated") // when the report was made
		return r
	}
	before := report("--data", sq)
	after := report("--config", cfg, "--data", filepath.Join(dir, "pg"))
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(after)
	if !bytes.Equal(b1, b2) {
		t.Errorf("report --json differs after the migration:\nSQLite:     %s\nPostgreSQL: %s", b1, b2)
	}
	// Running it again is refused: the database is no longer empty.
	if code, _, errOut := runCLI(t, "", "migrate", "--config", cfg, "--data", filepath.Join(dir, "pg"),
		"--from", "sqlite", filepath.Join(sq, "concierge.db")); code == 0 || !strings.Contains(errOut, "empty") {
		t.Errorf("a second copy: exit %d, %q; want a refusal naming an empty database", code, errOut)
	}
	// migrate alone is idempotent.
	if code, out, errOut := runCLI(t, "", "migrate", "--config", cfg, "--data", filepath.Join(dir, "pg")); code != 0 || !strings.Contains(out, "up to date") {
		t.Errorf("migrate: exit %d, %q, %q; want up to date", code, out, errOut)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
