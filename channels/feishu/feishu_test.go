package feishu_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/feishu"
	"github.com/concierge-bot/concierge/channels/feishu/feishutest"
)

// The decryption example of Feishu's event documentation: Encrypt Key
// "test key" opens this envelope to "hello world".
func TestDecryptDocumentedVector(t *testing.T) {
	got, err := feishu.Decrypt("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", "test key")
	if err != nil || string(got) != "hello world" {
		t.Fatalf("Decrypt = %q, %v; want hello world", got, err)
	}
	if _, err := feishu.Decrypt("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", "other key"); err == nil {
		t.Fatal("a wrong key decrypted")
	}
	// The fake's sealing round-trips through the adapter's opening.
	sealed := feishutest.Encrypt([]byte(`{"a":1}`), "k")
	if got, err := feishu.Decrypt(sealed, "k"); err != nil || string(got) != `{"a":1}` {
		t.Fatalf("round trip = %q, %v", got, err)
	}
}

// Feishu publishes the algorithm but no fixed signature example: this
// vector was constructed with sha256sum from the documented concatenation
// timestamp + nonce + encrypt_key + body.
func TestSignatureConstructedVector(t *testing.T) {
	got := feishu.Signature("1700000000", "abc", "key", []byte(`{"encrypt":"x"}`))
	const want = "d09e1d7455b3eb1cf4dc4030487b49e3c8908617c0ea1b0289497bda456c6a00"
	if got != feishutest.Sign("1700000000", "abc", "key", []byte(`{"encrypt":"x"}`)) {
		t.Fatalf("adapter and fake disagree: %s", got)
	}
	if got != want {
		t.Fatalf("Signature = %s, want %s", got, want)
	}
}

// forged builds the refused requests: forged, replayed, wrongly encrypted.
func forgedRequests(t *testing.T, e *env) map[string]feishutest.Request {
	now := time.Now()
	ev := func(id string) map[string]any {
		return feishutest.MessageEvent("ev-"+id, "om-"+id, "oc_dm_"+id, "p2p", "ou_mallory", feishutest.TenantKey, "hi", false, "")
	}
	good := func(id string) feishutest.Request { return feishutest.Seal(ev(id), feishutest.EncryptKey, now) }
	resign := func(r feishutest.Request, key string) feishutest.Request {
		r.Header.Set(feishu.HeaderSignature, feishutest.Sign(r.Header.Get(feishu.HeaderTimestamp), r.Header.Get(feishu.HeaderNonce), key, r.Body))
		return r
	}
	plain := func(v any) []byte { b, _ := json.Marshal(v); return b }
	reqs := map[string]feishutest.Request{}
	r := good("nosig")
	r.Header.Del(feishu.HeaderSignature)
	reqs["no signature"] = r
	r = good("badsig")
	r.Header.Set(feishu.HeaderSignature, strings.Repeat("0", 64))
	reqs["wrong signature"] = r
	reqs["signed with another key"] = resign(good("otherkey"), "not-the-key")
	r = good("tampered")
	r.Body = bytes.Replace(r.Body, []byte(`"encrypt":"`), []byte(`"encrypt":"A`), 1)
	reqs["body changed after signing"] = r
	reqs["two hours old"] = feishutest.Seal(ev("old"), feishutest.EncryptKey, now.Add(-2*time.Hour))
	reqs["two hours ahead"] = feishutest.Seal(ev("future"), feishutest.EncryptKey, now.Add(2*time.Hour))
	r = good("ts")
	r.Header.Set(feishu.HeaderTimestamp, "yesterday")
	reqs["timestamp not a number"] = resign(r, feishutest.EncryptKey)
	r = good("nonce")
	r.Header.Set(feishu.HeaderNonce, "changed")
	reqs["nonce changed after signing"] = r
	r = good("plain")
	r.Body = plain(ev("plain"))
	reqs["plaintext event, signed"] = resign(r, feishutest.EncryptKey)
	r = good("wrongenc")
	r.Body = plain(map[string]string{"encrypt": feishutest.Encrypt(plain(ev("wrongenc")), "another-key")})
	reqs["encrypted with another key, signed"] = resign(r, feishutest.EncryptKey)
	r = good("b64")
	r.Body = []byte(`{"encrypt":"not base64!!"}`)
	reqs["encrypt not base64"] = resign(r, feishutest.EncryptKey)
	r = good("short")
	r.Body = []byte(`{"encrypt":"AAAAAAAAAAAAAAAAAAAAAAA="}`)
	reqs["ciphertext not whole blocks"] = resign(r, feishutest.EncryptKey)
	r = good("pad")
	r.Body = []byte(`{"encrypt":"` + strings.Repeat("A", 64) + `"}`)
	reqs["bad padding"] = resign(r, feishutest.EncryptKey)
	bad := ev("token")
	bad["header"].(map[string]any)["token"] = "wrong-token"
	reqs["wrong verification token"] = feishutest.Seal(bad, feishutest.EncryptKey, now)
	notok := ev("notoken")
	delete(notok["header"].(map[string]any), "token")
	reqs["no verification token"] = feishutest.Seal(notok, feishutest.EncryptKey, now)
	r = good("json")
	r.Body = []byte(`not json`)
	reqs["body not JSON"] = resign(r, feishutest.EncryptKey)
	r = good("empty")
	r.Body = nil
	reqs["empty body"] = resign(r, feishutest.EncryptKey)
	r = good("num")
	r.Body = []byte(`{"encrypt":42}`)
	reqs["encrypt of the wrong type"] = resign(r, feishutest.EncryptKey)
	reqs["challenge with a wrong token"] = feishutest.Seal(map[string]string{"type": "url_verification", "challenge": "c", "token": "wrong"}, feishutest.EncryptKey, now)
	r = feishutest.Seal(map[string]string{"type": "url_verification", "challenge": "c", "token": "wrong"}, "another-key", now)
	r.Header.Del(feishu.HeaderSignature)
	reqs["challenge under another key"] = r
	other := ev("otherapp")
	other["header"].(map[string]any)["app_id"] = "cli_other"
	reqs["event of another app"] = feishutest.Seal(other, feishutest.EncryptKey, now)
	app := ev("appsender")
	app["event"].(map[string]any)["sender"].(map[string]any)["sender_type"] = "app"
	reqs["message from an app"] = feishutest.Seal(app, feishutest.EncryptKey, now)
	r = good("big")
	r.Body = append([]byte(`{"encrypt":"`), bytes.Repeat([]byte("A"), 300<<10)...)
	reqs["body over the size limit"] = resign(r, feishutest.EncryptKey)
	forgedClick := feishutest.CardActionEvent("ev-click", "ou_mallory", feishutest.TenantKey, "om_x", "oc_x",
		map[string]any{"k": "alert", "a": "resolve", "e": 1})
	r = feishutest.Seal(forgedClick, feishutest.EncryptKey, now)
	r.Header.Del(feishu.HeaderSignature)
	reqs["unsigned alert click"] = r
	return reqs
}

// Every forged, replayed or wrongly encrypted request is refused: nothing
// reaches the Engine, nothing is sent, no escalation is touched.
func TestForgedRefused(t *testing.T) {
	esc := &fakeEscalations{}
	e := newEnv(t, nil, func(o *feishu.Options) { o.Escalations = esc })
	reqs := forgedRequests(t, e)
	if len(reqs) < 20 {
		t.Fatalf("only %d forged cases", len(reqs))
	}
	// A replay: a valid request, accepted once, then sent again as captured.
	valid := feishutest.Seal(feishutest.MessageEvent("ev-replay", "om-replay", "oc_dm_replay", "p2p", "ou_alice",
		feishutest.TenantKey, "first", false, ""), feishutest.EncryptKey, time.Now())
	if st, _, _ := feishutest.Post(e.url, valid); st != http.StatusOK {
		t.Fatalf("valid request refused: %d", st)
	}
	e.fake.WaitSent(1)
	reqs["exact replay of an accepted request"] = valid
	accepted := 0
	for name, r := range reqs {
		st, body, err := feishutest.Post(e.url, r)
		if err != nil {
			t.Fatal(err)
		}
		if st == http.StatusOK && !strings.Contains(name, "another app") && !strings.Contains(name, "from an app") {
			accepted++
			t.Errorf("%s: accepted with %d %s", name, st, body)
		}
	}
	e.settle(t, 1)
	msgs := e.h.Messages()
	if len(msgs) != 2 || msgs[0].Text != "first" { // the valid one and the sentinel
		t.Errorf("messages reaching the Engine: %+v", msgs)
		accepted += len(msgs) - 2
	}
	if c := esc.Calls(); len(c) > 0 {
		t.Errorf("escalation actions: %v", c)
		accepted += len(c)
	}
	t.Logf("forged/replayed/wrongly encrypted cases: %d, accepted: %d", len(reqs), accepted)
}

// The URL challenge is answered when it decrypts under the key and carries
// the token, even unsigned (Feishu does not sign it).
func TestChallenge(t *testing.T) {
	e := newEnv(t, nil, nil)
	r := feishutest.Seal(map[string]string{"type": "url_verification", "challenge": "ch-42", "token": feishutest.VerificationToken},
		feishutest.EncryptKey, time.Now())
	r.Header.Del(feishu.HeaderSignature)
	st, body, err := feishutest.Post(e.url, r)
	if err != nil || st != http.StatusOK {
		t.Fatalf("challenge: %d %v", st, err)
	}
	var got map[string]string
	if err := json.Unmarshal(body, &got); err != nil || got["challenge"] != "ch-42" {
		t.Fatalf("challenge reply %s", body)
	}
}

// Feishu's retries (same event_id, freshly signed) and a second event for
// the same message are answered once.
func TestRetriesAnsweredOnce(t *testing.T) {
	e := newEnv(t, nil, nil)
	ev := feishutest.MessageEvent("ev-1", "om-1", "oc_dm_1", "p2p", "ou_alice", feishutest.TenantKey, "where is my order", false, "")
	for range 3 {
		if st := feishutest.Deliver(e.url, ev, 1); st != http.StatusOK {
			t.Fatalf("delivery: %d", st)
		}
	}
	again := feishutest.MessageEvent("ev-2", "om-1", "oc_dm_1", "p2p", "ou_alice", feishutest.TenantKey, "where is my order", false, "")
	feishutest.Deliver(e.url, again, 1)
	e.settle(t, 1)
	var answers int
	for _, s := range e.fake.Sent() {
		if s.ReplyTo == "om-1" {
			answers++
		}
	}
	if got := len(e.h.Messages()); got != 2 || answers != 1 {
		t.Fatalf("engine calls %d (want 2 with the sentinel), answers to om-1 %d (want 1)", got, answers)
	}
	// The sentinel comes from another sender, whose worker may run first.
	var m bot.Message
	for _, x := range e.h.Messages() {
		if x.ProviderMessageID == "om-1" {
			m = x
		}
	}
	if m.ProviderMessageID != "om-1" || m.Channel != "feishu" || m.ExternalUserID != "ou_alice" {
		t.Fatalf("message %+v among %+v", m, e.h.Messages())
	}
}

// A full queue answers 503 and forgets the ids, so that the platform's retry
// is taken.
func TestQueueFullRetryTaken(t *testing.T) {
	block := make(chan struct{})
	h := &fakeHandler{reply: func(m bot.Message) (bot.Reply, error) {
		if m.Text == "block" {
			<-block
		}
		return bot.Reply{Text: "ok " + m.Text, Action: bot.ActionAnswer}, nil
	}}
	e := newEnv(t, h, func(o *feishu.Options) { o.Workers, o.QueueSize = 1, 1 })
	feishutest.Deliver(e.url, feishutest.MessageEvent("ev-b", "om-b", "oc_dm_b", "p2p", "ou_b", feishutest.TenantKey, "block", false, ""), 1)
	deadline := time.Now().Add(5 * time.Second)
	for len(h.Messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	feishutest.Deliver(e.url, feishutest.MessageEvent("ev-q", "om-q", "oc_dm_q", "p2p", "ou_q", feishutest.TenantKey, "queued", false, ""), 1)
	ev := feishutest.MessageEvent("ev-full", "om-full", "oc_dm_f", "p2p", "ou_f", feishutest.TenantKey, "retried", false, "")
	if st := feishutest.Deliver(e.url, ev, 1); st != http.StatusServiceUnavailable {
		t.Fatalf("full queue answered %d, want 503", st)
	}
	close(block)
	e.fake.WaitSent(2)
	if st := feishutest.Deliver(e.url, ev, 1); st != http.StatusOK {
		t.Fatalf("retry answered %d", st)
	}
	e.fake.WaitSent(3)
}

// Groups: a mention is answered in a thread the bot then follows; chatter
// is ignored; customer chats, other organisations and external groups get
// the customer audience.
func TestGroupsThreadsAndAudience(t *testing.T) {
	e := newEnv(t, nil, func(o *feishu.Options) { o.CustomerChats = []string{"oc_customers"} })
	e.fake.SetExternal("oc_ext", true)
	send := func(id, chat, tenant, text string, mention bool, root string) {
		t.Helper()
		if st := feishutest.Deliver(e.url, feishutest.MessageEvent("ev-"+id, id, chat, "group", "ou_"+id, tenant, text, mention, root), 1); st != 200 {
			t.Fatalf("%s: %d", id, st)
		}
	}
	send("om_chatter", "oc_team", feishutest.TenantKey, "lunch?", false, "")
	send("om_q", "oc_team", feishutest.TenantKey, "staff discount?", true, "")
	send("om_follow", "oc_team", feishutest.TenantKey, "and for family?", false, "om_q")
	send("om_cust", "oc_customers", feishutest.TenantKey, "price?", true, "")
	send("om_other", "oc_team", "tenant-elsewhere", "price?", true, "")
	send("om_ext", "oc_ext", feishutest.TenantKey, "price?", true, "")
	e.settle(t, 5)
	roles := map[string]bot.Role{}
	for _, m := range e.h.Messages() {
		roles[m.ProviderMessageID] = m.Role
	}
	want := map[string]bot.Role{"om_q": bot.RoleEmployee, "om_follow": bot.RoleEmployee, "om_cust": bot.RoleCustomer,
		"om_other": bot.RoleCustomer, "om_ext": bot.RoleCustomer}
	for k, v := range want {
		if roles[k] != v {
			t.Errorf("%s: role %q, want %q", k, roles[k], v)
		}
	}
	if _, ok := roles["om_chatter"]; ok {
		t.Error("chatter without a mention was answered")
	}
	for _, s := range e.fake.Sent() {
		if s.ReplyTo == "om_q" && !s.ReplyInThread {
			t.Error("group answer not in a thread")
		}
		if s.ReplyTo == "om_q" && !strings.Contains(feishutest.CardText(s.Content), "echo: staff discount?") {
			t.Errorf("answer %s", feishutest.CardText(s.Content))
		}
	}
}

// Choices are offered as numbered lines and buttons; a reply of a number or
// a click by the asker picks one.
func TestChoices(t *testing.T) {
	choices := []bot.Source{{ID: "returns", Title: "Returns"}, {ID: "refunds", Title: "Refunds *now*"}}
	h := &fakeHandler{reply: func(m bot.Message) (bot.Reply, error) {
		if m.Choice != "" {
			return bot.Reply{Text: "about " + m.Choice, Action: bot.ActionAnswer}, nil
		}
		return bot.Reply{Text: "Did you mean:", Action: bot.ActionClarify, Choices: choices}, nil
	}}
	e := newEnv(t, h, nil)
	feishutest.Deliver(e.url, feishutest.MessageEvent("ev-c1", "om-c1", "oc_dm_c", "p2p", "ou_c", feishutest.TenantKey, "money back", false, ""), 1)
	sent := e.fake.WaitSent(1)
	text := feishutest.CardText(sent[0].Content)
	if !strings.Contains(text, "2. Refunds &#42;now&#42;") || !strings.Contains(text, "[2. Refunds *now*]") {
		t.Fatalf("choices card:\n%s", text)
	}
	feishutest.Deliver(e.url, feishutest.MessageEvent("ev-c2", "om-c2", "oc_dm_c", "p2p", "ou_c", feishutest.TenantKey, "2", false, ""), 1)
	e.fake.WaitSent(2)
	if m := e.h.Messages()[1]; m.Choice != "refunds" || m.Text != "Refunds *now*" {
		t.Fatalf("number reply gave %+v", m)
	}
	// A click by someone else is refused; by the asker, answered.
	value := map[string]any{"k": "choice", "doc": "returns", "t": "Returns", "u": "ou_c", "r": "e"}
	st, body, _ := feishutest.Post(e.url, feishutest.Seal(feishutest.CardActionEvent("ev-k1", "ou_eve", feishutest.TenantKey, "om-c1", "oc_dm_c", value), feishutest.EncryptKey, time.Now()))
	if st != 200 || !strings.Contains(string(body), "Only the person who asked") {
		t.Fatalf("click by another: %d %s", st, body)
	}
	st, _, _ = feishutest.Post(e.url, feishutest.Seal(feishutest.CardActionEvent("ev-k2", "ou_c", feishutest.TenantKey, "om-c1", "oc_dm_c", value), feishutest.EncryptKey, time.Now()))
	if st != 200 {
		t.Fatal(st)
	}
	e.fake.WaitSent(3)
	msgs := e.h.Messages()
	if m := msgs[len(msgs)-1]; m.Choice != "returns" || m.Role != bot.RoleEmployee {
		t.Fatalf("click gave %+v", m)
	}
}

// Tokens are cached, refreshed before they expire and fetched again when
// the platform rejects one; rate limits are retried after backing off.
func TestTokenRefreshAndRateLimit(t *testing.T) {
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	now := time.Now()
	clock := func() time.Time { <-mu; defer func() { mu <- struct{}{} }(); return now }
	advance := func(d time.Duration) { <-mu; now = now.Add(d); mu <- struct{}{} }
	e := newEnv(t, nil, func(o *feishu.Options) { o.Now = clock; o.ReplayWindow = 1000 * time.Hour })
	deliver := func(id string) {
		t.Helper()
		if st, b, _ := feishutest.Post(e.url, feishutest.Seal(feishutest.MessageEvent("ev-"+id, id, "oc_dm_t", "p2p", "ou_t", feishutest.TenantKey, "hi", false, ""), feishutest.EncryptKey, clock())); st != 200 {
			t.Fatalf("%s: %d %s", id, st, b)
		}
	}
	deliver("om-t1")
	e.fake.WaitSent(1)
	deliver("om-t2")
	e.fake.WaitSent(2)
	if n := e.fake.TokenCalls(); n != 1 {
		t.Fatalf("token fetched %d times for two answers, want 1 (cached)", n)
	}
	advance(time.Hour + 45*time.Minute) // within 30 minutes of the 2-hour expiry
	deliver("om-t3")
	e.fake.WaitSent(3)
	if n := e.fake.TokenCalls(); n != 2 {
		t.Fatalf("token fetched %d times, want 2 (refreshed before expiry)", n)
	}
	e.fake.RevokeTokens()
	deliver("om-t4")
	e.fake.WaitSent(4)
	if n := e.fake.TokenCalls(); n != 3 {
		t.Fatalf("token fetched %d times, want 3 (rejected token replaced)", n)
	}
	e.fake.RateLimit("/open-apis/im/v1/messages/om-t5", 2)
	deliver("om-t5")
	e.fake.WaitSent(5)
	if n := e.fake.Requests("/open-apis/im/v1/messages/om-t5/reply"); n != 3 {
		t.Fatalf("reply tried %d times, want 3 (two 429s, then success)", n)
	}
}

// Alert cards: posted with three buttons; a click acts through the
// escalation service and updates the card; clicks from another
// organisation are refused.
func TestAlertCard(t *testing.T) {
	esc := &fakeEscalations{}
	e := newEnv(t, nil, func(o *feishu.Options) { o.Escalations = esc })
	id, err := e.a.PostAlert(context.Background(), "oc_alerts", feishu.AlertCard{Title: "Escalation: Complaint (high)",
		Markdown: "**Customer:** Ann", Link: "https://help.example.com/console/conversations/3", EscalationID: 12, Template: "red"}, "esc-12-0")
	if err != nil {
		t.Fatal(err)
	}
	sent := e.fake.Sent()
	if len(sent) != 1 || sent[0].ReceiveID != "oc_alerts" || !strings.Contains(feishutest.CardText(sent[0].Content), "[Take over 接手]") {
		t.Fatalf("alert %+v", sent)
	}
	click := func(ev, who, tenant, action string) (int, string) {
		v := map[string]any{"k": "alert", "a": action, "e": 12, "t": "Escalation"}
		st, b, _ := feishutest.Post(e.url, feishutest.Seal(feishutest.CardActionEvent(ev, who, tenant, id, "oc_alerts", v), feishutest.EncryptKey, time.Now()))
		return st, string(b)
	}
	if st, b := click("ev-a1", "ou_boss", "tenant-elsewhere", "ack"); st != 200 || !strings.Contains(b, "support team only") {
		t.Fatalf("outsider click: %d %s", st, b)
	}
	st, b := click("ev-a2", "ou_agent", feishutest.TenantKey, "take")
	if st != 200 || !strings.Contains(b, "Taken over by") || !strings.Contains(b, "Resolve") || strings.Contains(b, "Acknowledge 确认") {
		t.Fatalf("take over: %d %s", st, b)
	}
	click("ev-a2", "ou_agent", feishutest.TenantKey, "take") // the platform's retry of the same click
	if diff := cmp.Diff([]string{"take feishu:ou_agent"}, esc.Calls()); diff != "" {
		t.Fatalf("escalation calls (-want +got):\n%s", diff)
	}
	esc.err = bot.Errorf(bot.ECONFLICT, "Escalation 12 is already resolved.")
	if _, b := click("ev-a3", "ou_agent", feishutest.TenantKey, "resolve"); !strings.Contains(b, "already resolved") {
		t.Fatalf("error not shown: %s", b)
	}
}
