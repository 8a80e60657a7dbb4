package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// staff is a fake web.StaffSessions: the agent named in X-Test-Agent is
// signed in, and its CSRF token is "csrf-" + name.
type staff struct{}

func (staff) Agent(r *http.Request) (string, bool, bool) {
	name := r.Header.Get("X-Test-Agent")
	if name == "" {
		return "", false, false
	}
	return name, r.Header.Get("X-CSRF-Token") == "csrf-"+name, true
}

var customersBase = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type customersEnv struct {
	t  *testing.T
	db *sqlite.DB
	ts *httptest.Server
}

func newCustomersEnv(t *testing.T, change func(*web.Options)) *customersEnv {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"),
		sqlite.Options{Now: func() time.Time { return customersBase.Add(24 * time.Hour) }, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	opts := web.Options{Engine: nopHandler{}, APIKeys: []string{testKey}, Customers: db, Staff: staff{}}
	if change != nil {
		change(&opts)
	}
	srv, err := web.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &customersEnv{t: t, db: db, ts: ts}
}

type nopHandler struct{}

func (nopHandler) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	return bot.Reply{}, nil
}

// call sends a request, with the API key when key is set and with the
// extra headers, and decodes a JSON answer into out.
func (e *customersEnv) call(method, path, key, body string, out any, header ...string) (int, http.Header, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: decode %q: %v", method, path, b, err)
		}
	}
	return resp.StatusCode, resp.Header, string(b)
}

type errorBody struct {
	Error struct{ Code, Message string }
}

// seed makes n customers on the web channel, one message each, and returns
// their ids.
func (e *customersEnv) seed(n int) []int64 {
	e.t.Helper()
	var ids []int64
	for i := range n {
		conv, _, err := e.db.AppendInbound(context.Background(), bot.Inbound{Channel: "web", ExternalUserID: "v" + strconv.Itoa(i),
			Text: "hello " + strconv.Itoa(i), Time: customersBase.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, conv.CustomerID)
	}
	return ids
}

func TestCustomersListPagingAndFilters(t *testing.T) {
	e := newCustomersEnv(t, nil)
	ids := e.seed(5)
	ctx := context.Background()
	if err := e.db.SetStage(ctx, ids[1], bot.StageQualified, "test"); err != nil {
		t.Fatal(err)
	}
	if err := e.db.AddTag(ctx, ids[3], "vip", "test"); err != nil {
		t.Fatal(err)
	}
	var got []int64
	after := int64(0)
	for page := 0; page < 5; page++ {
		var list web.CustomerList
		st, _, body := e.call("GET", "/api/v1/customers?limit=2&after_id="+strconv.FormatInt(after, 10), testKey, "", &list)
		if st != http.StatusOK {
			t.Fatalf("list: %d %s", st, body)
		}
		for _, c := range list.Customers {
			got = append(got, c.ID)
		}
		if list.NextAfter == 0 {
			break
		}
		after = list.NextAfter
	}
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("paged ids (-want +got):\n%s", diff)
	}
	tests := []struct {
		query string
		want  []int64
	}{
		{"stage=qualified", []int64{ids[1]}},
		{"segment=vip", []int64{ids[3]}},
		{"tag=vip", []int64{ids[3]}},
		{"segment=at_risk", nil},
	}
	for _, tt := range tests {
		var list web.CustomerList
		if st, _, body := e.call("GET", "/api/v1/customers?"+tt.query, testKey, "", &list); st != http.StatusOK {
			t.Fatalf("%s: %d %s", tt.query, st, body)
		}
		var got []int64
		for _, c := range list.Customers {
			got = append(got, c.ID)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.query, diff)
		}
	}
	for _, q := range []string{"segment=gold", "stage=maybe", "limit=-1", "limit=9999", "after_id=x", "q=" + strings.Repeat("x", 201)} {
		var eb errorBody
		if st, _, _ := e.call("GET", "/api/v1/customers?"+q, testKey, "", &eb); st != http.StatusBadRequest || eb.Error.Code != bot.EINVALID || eb.Error.Message == "" {
			t.Errorf("%.30s: %d %+v, want 400 invalid", q, st, eb)
		}
	}
}

func TestCustomersShow(t *testing.T) {
	e := newCustomersEnv(t, nil)
	ctx := context.Background()
	conv, in, err := e.db.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: "visitor-9",
		Text: "where is <b>my</b> order", Time: customersBase})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: "A colleague will join.",
		Action: bot.ActionEscalate, Time: customersBase,
		Escalation: &bot.Escalation{Reason: bot.ReasonComplaint, Severity: "high", Summary: "order"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AddNote(ctx, conv.CustomerID, conv.ID, "alice", "called"); err != nil {
		t.Fatal(err)
	}
	var d web.CustomerDetail
	st, h, body := e.call("GET", "/api/v1/customers/"+strconv.FormatInt(conv.CustomerID, 10), testKey, "", &d)
	if st != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("show: %d %s", st, body)
	}
	if diff := cmp.Diff([]web.Identity{{Channel: "web", ExternalID: "visitor-9"}}, d.Customer.Identities); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
	var types, texts []string
	for _, e := range d.Timeline {
		types = append(types, e.Type)
		if e.Message != nil {
			texts = append(texts, e.Message.Text)
			if e.Message.ConversationID != conv.ID {
				t.Errorf("message of conversation %d, want %d", e.Message.ConversationID, conv.ID)
			}
		}
	}
	if diff := cmp.Diff([]string{"where is <b>my</b> order", "A colleague will join."}, texts); diff != "" {
		t.Errorf("timeline messages (-want +got):\n%s", diff)
	}
	for _, want := range []string{"message", "event", "note"} {
		if !strings.Contains(strings.Join(types, ","), want) {
			t.Errorf("timeline types %v lack %q", types, want)
		}
	}
	if strings.Contains(body, "<b>") {
		t.Errorf("JSON is not HTML-escaped: %s", body)
	}
	// timeline_limit keeps the latest entries; 0 leaves the timeline out.
	if _, _, body := e.call("GET", "/api/v1/customers/"+strconv.FormatInt(conv.CustomerID, 10)+"?timeline_limit=1", testKey, "", &d); len(d.Timeline) != 1 {
		t.Errorf("timeline_limit=1: %d entries: %s", len(d.Timeline), body)
	}
	if e.call("GET", "/api/v1/customers/"+strconv.FormatInt(conv.CustomerID, 10)+"?timeline_limit=0", testKey, "", &d); len(d.Timeline) != 0 || d.Timeline == nil {
		t.Errorf("timeline_limit=0: %+v, want an empty timeline", d.Timeline)
	}
	var eb errorBody
	if st, _, _ := e.call("GET", "/api/v1/customers/424242", testKey, "", &eb); st != http.StatusNotFound || eb.Error.Code != bot.ENOTFOUND {
		t.Errorf("unknown customer: %d %+v", st, eb)
	}
	if st, _, _ := e.call("GET", "/api/v1/customers/abc", testKey, "", &eb); st != http.StatusNotFound {
		t.Errorf("non-numeric id: %d", st)
	}
	if st, _, _ := e.call("GET", "/api/v1/customers/1/nothing", testKey, "", &eb); st != http.StatusNotFound {
		t.Errorf("unknown endpoint: %d", st)
	}
}

func TestCustomersAuth(t *testing.T) {
	e := newCustomersEnv(t, nil)
	ids := e.seed(2)
	lastEvent := func(id int64) bot.Event {
		t.Helper()
		events, err := e.db.Events(context.Background(), id)
		if err != nil || len(events) == 0 {
			t.Fatalf("events of %d: %v", id, err)
		}
		return events[len(events)-1]
	}
	var eb errorBody
	for name, key := range map[string]string{"no key": "", "wrong key": "nope-nope-nope"} {
		if st, h, _ := e.call("GET", "/api/v1/customers", key, "", &eb); st != http.StatusUnauthorized || eb.Error.Code != bot.EUNAUTHORIZED || h.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %+v", name, st, eb)
		}
	}
	// A signed-in agent may read, and change with the CSRF header.
	if st, _, body := e.call("GET", "/api/v1/customers", "", "", nil, "X-Test-Agent", "alice"); st != http.StatusOK || !strings.Contains(body, `"customers"`) {
		t.Errorf("session GET: %d %s", st, body)
	}
	erase := "/api/v1/customers/" + strconv.FormatInt(ids[0], 10) + "/erase"
	if st, _, _ := e.call("POST", erase, "", "", &eb, "X-Test-Agent", "alice"); st != http.StatusForbidden {
		t.Errorf("session POST without X-CSRF-Token: %d, want 403", st)
	}
	if st, _, _ := e.call("POST", erase, "", "", &eb, "X-Test-Agent", "alice", "X-CSRF-Token", "csrf-bob"); st != http.StatusForbidden {
		t.Errorf("session POST with another session's token: %d, want 403", st)
	}
	if c, _ := e.db.Customer(context.Background(), ids[0]); !c.Erased.IsZero() {
		t.Fatal("a refused request erased the customer")
	}
	if st, _, body := e.call("POST", erase, "", "", nil, "X-Test-Agent", "alice", "X-CSRF-Token", "csrf-alice"); st != http.StatusOK {
		t.Errorf("session POST with X-CSRF-Token: %d %s", st, body)
	}
	if last := lastEvent(ids[0]); last.Kind != bot.EventErased || last.Actor != "alice" {
		t.Errorf("erase event %+v, want erased by alice", last)
	}
	// An API key is recorded by its name, never by the key: a bare key of
	// Options.APIKeys is named by its position.
	if st, _, body := e.call("POST", "/api/v1/customers/"+strconv.FormatInt(ids[1], 10)+"/erase", testKey, "", nil); st != http.StatusOK {
		t.Fatalf("key POST: %d %s", st, body)
	}
	if last := lastEvent(ids[1]); last.Kind != bot.EventErased || last.Actor != "api:key-1" {
		t.Errorf("erase event %+v, want erased by api:key-1", last)
	}
	// Without a store the API says so.
	e2 := newCustomersEnv(t, func(o *web.Options) { o.Customers = nil })
	if st, _, _ := e2.call("GET", "/api/v1/customers", testKey, "", &eb); st != http.StatusServiceUnavailable || eb.Error.Code != bot.EUNAVAILABLE {
		t.Errorf("no store: %d %+v, want 503", st, eb)
	}
	// Without keys, a bearer token is told how to add one; sessions still work.
	e3 := newCustomersEnv(t, func(o *web.Options) { o.APIKeys = nil })
	if st, _, _ := e3.call("GET", "/api/v1/customers", "some-key-at-all", "", &eb); st != http.StatusUnauthorized || !strings.Contains(eb.Error.Message, "api.keys") {
		t.Errorf("no keys configured: %d %+v, want 401 naming api.keys", st, eb)
	}
	if st, _, _ := e3.call("GET", "/api/v1/customers", "", "", nil, "X-Test-Agent", "alice"); st != http.StatusOK {
		t.Errorf("session without keys configured: %d", st)
	}
	// Without StaffSessions only keys are accepted.
	e4 := newCustomersEnv(t, func(o *web.Options) { o.Staff = nil })
	if st, _, _ := e4.call("GET", "/api/v1/customers", "", "", &eb, "X-Test-Agent", "alice"); st != http.StatusUnauthorized {
		t.Errorf("session without StaffSessions: %d, want 401", st)
	}
}

// TestCustomersRateLimitedPerKey: every customers endpoint, exports
// included, counts against the key's limit; another key is not affected.
func TestCustomersRateLimitedPerKey(t *testing.T) {
	const other = "other-key-0123456789"
	e := newCustomersEnv(t, func(o *web.Options) {
		o.APIKeys = []string{testKey, other}
		o.Limits = web.Limits{APIKeyRate: 0.001, APIKeyBurst: 3}
	})
	ids := e.seed(1)
	for i, path := range []string{"/api/v1/customers", "/api/v1/customers/export", "/api/v1/customers/" + strconv.FormatInt(ids[0], 10) + "/export"} {
		if st, _, body := e.call("GET", path, testKey, "", nil); st != http.StatusOK {
			t.Fatalf("request %d (%s): %d %s", i, path, st, body)
		}
	}
	var eb errorBody
	st, h, _ := e.call("GET", "/api/v1/customers/export", testKey, "", &eb)
	if st != http.StatusTooManyRequests || eb.Error.Code != bot.ERATELIMIT || h.Get("Retry-After") == "" {
		t.Errorf("fourth request of the key: %d %+v, Retry-After %q; want 429", st, eb, h.Get("Retry-After"))
	}
	if st, _, _ := e.call("GET", "/api/v1/customers", other, "", nil); st != http.StatusOK {
		t.Errorf("another key: %d, want 200", st)
	}
}

func TestCustomersEraseAndMerge(t *testing.T) {
	e := newCustomersEnv(t, nil)
	ids := e.seed(3)
	path := func(id int64, action string) string {
		return "/api/v1/customers/" + strconv.FormatInt(id, 10) + "/" + action
	}
	var eb errorBody
	if st, _, body := e.call("POST", path(ids[0], "erase"), testKey, "", nil); st != http.StatusOK {
		t.Fatalf("erase: %d %s", st, body)
	}
	if st, _, _ := e.call("POST", path(ids[0], "erase"), testKey, "", &eb); st != http.StatusConflict || eb.Error.Code != bot.ECONFLICT {
		t.Errorf("erase twice: %d %+v, want 409", st, eb)
	}
	if st, _, _ := e.call("POST", path(999, "erase"), testKey, "", &eb); st != http.StatusNotFound {
		t.Errorf("erase unknown: %d", st)
	}
	entries, _ := e.db.Timeline(context.Background(), ids[0], bot.TimelineOptions{})
	for _, m := range entries {
		if m.Message != nil && m.Message.Text != "" {
			t.Errorf("erased customer still has text %q", m.Message.Text)
		}
	}
	if st, _, body := e.call("POST", path(ids[2], "merge"), testKey, `{"into": `+strconv.FormatInt(ids[1], 10)+`}`, nil); st != http.StatusOK {
		t.Fatalf("merge: %d %s", st, body)
	}
	c, _ := e.db.Customer(context.Background(), ids[2])
	if c.MergedInto != ids[1] {
		t.Errorf("merged customer points at %d, want %d", c.MergedInto, ids[1])
	}
	bad := []struct {
		name, body string
		status     int
		says       string
	}{
		{"into itself", `{"into": ` + strconv.FormatInt(ids[1], 10) + `}`, http.StatusBadRequest, ""},
		{"into erased", `{"into": ` + strconv.FormatInt(ids[0], 10) + `}`, http.StatusConflict, ""},
		{"missing into", `{}`, http.StatusBadRequest, `"into"`},
		{"unknown field", `{"into": 1, "x": 2}`, http.StatusBadRequest, `unknown field "x"`},
		{"misspelt field", `{"inot": 1}`, http.StatusBadRequest, `unknown field "inot"`},
		{"wrong type", `{"into": "one"}`, http.StatusBadRequest, `field "into" has the wrong type`},
		{"not JSON", `into=1`, http.StatusBadRequest, "syntax error"},
		{"two objects", `{"into": 1}{"into": 2}`, http.StatusBadRequest, "one JSON object"},
		{"too large", `{"into": 1` + strings.Repeat(" ", 70<<10) + `}`, http.StatusRequestEntityTooLarge, ""},
	}
	for _, b := range bad {
		st, _, body := e.call("POST", path(ids[1], "merge"), testKey, b.body, &eb)
		if st != b.status || !strings.Contains(eb.Error.Message, b.says) {
			t.Errorf("merge %s: %d %q, want %d saying %q (%.200s)", b.name, st, eb.Error.Message, b.status, b.says, body)
		}
	}
}

func TestCustomersExport(t *testing.T) {
	e := newCustomersEnv(t, nil)
	ids := e.seed(3)
	if _, _, err := e.db.AppendInbound(context.Background(), bot.Inbound{Channel: "web", ExternalUserID: "v1", Text: "=HYPERLINK(\"x\")",
		Time: customersBase.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	st, h, body := e.call("GET", "/api/v1/customers/export?format=csv", testKey, "", nil)
	if st != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv export: %d %v", st, h)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v", err)
	}
	if len(rows) != 1+4 || rows[0][0] != "message_id" {
		t.Errorf("csv rows %d, want a header and 4 messages:\n%s", len(rows), body)
	}
	if !strings.Contains(body, "'=HYPERLINK") {
		t.Errorf("formula cell not neutralised:\n%s", body)
	}
	st, h, body = e.call("GET", "/api/v1/customers/"+strconv.FormatInt(ids[1], 10)+"/export?format=json", testKey, "", nil)
	if st != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/x-ndjson") {
		t.Fatalf("json export: %d %v", st, h)
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if len(lines) != 2 {
		t.Fatalf("json export of customer %d: %d lines, want 2:\n%s", ids[1], len(lines), body)
	}
	for _, l := range lines {
		var r bot.ExportRow
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.CustomerID != ids[1] {
			t.Errorf("line %q: %v, customer %d", l, err, r.CustomerID)
		}
	}
	var eb errorBody
	if st, _, _ := e.call("GET", "/api/v1/customers/export?format=xml", testKey, "", &eb); st != http.StatusBadRequest || eb.Error.Code != bot.EINVALID {
		t.Errorf("bad format: %d %+v", st, eb)
	}
	if st, _, _ := e.call("GET", "/api/v1/customers/777/export", testKey, "", &eb); st != http.StatusNotFound {
		t.Errorf("export unknown customer: %d", st)
	}
}

// TestPostBodiesMustBeJSON: every POST endpoint of the REST API answers a
// body that is not JSON (text/plain, a form, no Content-Type) with 415
// unsupported_media_type, not 400 and never by acting on it; erase, which
// takes no body, still works without one or with an empty JSON object.
func TestPostBodiesMustBeJSON(t *testing.T) {
	e := newCustomersEnv(t, nil)
	ids := e.seed(4)
	path := func(id int64, action string) string {
		return "/api/v1/customers/" + strconv.FormatInt(id, 10) + "/" + action
	}
	send := func(p, ctype, body string, header ...string) (int, errorBody) {
		t.Helper()
		req, _ := http.NewRequest("POST", e.ts.URL+p, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var eb errorBody
		_ = json.NewDecoder(resp.Body).Decode(&eb)
		return resp.StatusCode, eb
	}
	key := []string{"Authorization", "Bearer " + testKey}
	session := []string{"X-Test-Agent", "alice", "X-CSRF-Token", "csrf-alice"}
	into := `{"into": ` + strconv.FormatInt(ids[1], 10) + `}`
	for _, who := range []struct {
		name   string
		header []string
	}{{"key", key}, {"session", session}} {
		for _, tt := range []struct{ name, path, ctype, body string }{
			{"merge as text", path(ids[2], "merge"), "text/plain", into},
			{"merge as a form", path(ids[2], "merge"), "application/x-www-form-urlencoded", "into=2"},
			{"merge without a type", path(ids[2], "merge"), "", into},
			{"erase as text", path(ids[0], "erase"), "text/plain", "please"},
			{"erase as a form", path(ids[0], "erase"), "application/x-www-form-urlencoded", "confirm=1"},
			{"erase as a multipart form", path(ids[0], "erase"), "multipart/form-data; boundary=x", "--x--"},
			{"message as text", "/api/v1/messages", "text/plain", `{"user_id":"u","text":"hi"}`},
		} {
			if who.name == "session" && tt.path == "/api/v1/messages" {
				continue // the messages API takes keys only
			}
			st, eb := send(tt.path, tt.ctype, tt.body, who.header...)
			if st != http.StatusUnsupportedMediaType || eb.Error.Code != bot.EUNSUPPORTED || !strings.Contains(eb.Error.Message, "application/json") {
				t.Errorf("%s, %s: %d %+v; want 415 asking for application/json", who.name, tt.name, st, eb)
			}
		}
	}
	for _, c := range []int64{ids[0], ids[2]} {
		if cu, _ := e.db.Customer(context.Background(), c); !cu.Erased.IsZero() || cu.MergedInto != 0 {
			t.Fatalf("a refused request changed customer %d: %+v", c, cu)
		}
	}
	if st, eb := send(path(ids[0], "erase"), "", "", key...); st != http.StatusOK {
		t.Errorf("erase without a body: %d %+v", st, eb)
	}
	if st, eb := send(path(ids[3], "erase"), "application/json", "{}", session...); st != http.StatusOK {
		t.Errorf("erase with {}: %d %+v", st, eb)
	}
	if st, eb := send(path(ids[2], "merge"), "application/json; charset=utf-8", into, key...); st != http.StatusOK {
		t.Errorf("merge as application/json; charset=utf-8: %d %+v", st, eb)
	}
}
