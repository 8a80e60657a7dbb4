package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/channels/dingtalk"
	"github.com/concierge-bot/concierge/channels/dingtalk/dingtalktest"
	"github.com/concierge-bot/concierge/channels/feishu"
	"github.com/concierge-bot/concierge/channels/feishu/feishutest"
	"github.com/concierge-bot/concierge/channels/wecom/wecomtest"
)

// runServe starts `concierge serve` in-process with args (after "serve")
// and env, waits until it listens, and returns its base URL and a stop
// that cancels it and returns its exit status (failing the test if it
// does not stop within the shutdown grace).
func runServe(t *testing.T, env map[string]string, args ...string) (base string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), io.Discard, &stderr, envOf(env))
	}()
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	for deadline := time.Now().Add(60 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := addr.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		default:
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("serve did not start: %s", stderr.String())
	}
	stopped := false
	stop = func() int {
		t.Helper()
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Logf("serve's stderr: %s", stderr.String())
			}
			return code
		case <-time.After(shutdownGrace + 5*time.Second):
			t.Fatal("serve did not shut down")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

// chatAppsAgent is a signed-in session of the agent console of a running
// serve, as a browser would hold it.
type chatAppsAgent struct {
	t    *testing.T
	base string
	c    *http.Client
}

var chatAppsCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the form on the page at path.
func (a *chatAppsAgent) csrf(path string) string {
	a.t.Helper()
	resp, err := a.c.Get(a.base + path)
	if err != nil {
		a.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := chatAppsCSRF.FindSubmatch(b)
	if resp.StatusCode != http.StatusOK || m == nil {
		a.t.Fatalf("GET %s: %d, no CSRF token", path, resp.StatusCode)
	}
	return html.UnescapeString(string(m[1]))
}

// page returns the body of the console page at path ("" on an error).
func (a *chatAppsAgent) page(path string) string {
	resp, err := a.c.Get(a.base + path)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// signIn signs in to the console of the serve at base as admin, with the
// password serve wrote into the data directory.
func chatAppsSignIn(t *testing.T, base, data string) *chatAppsAgent {
	t.Helper()
	pw, err := os.ReadFile(filepath.Join(data, "console-password"))
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	a := &chatAppsAgent{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	form := url.Values{"name": {"admin"}, "password": {strings.TrimSpace(string(pw))}, "csrf": {a.csrf("/console/login")}}
	resp, err := a.c.PostForm(base+"/console/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/console/login" {
		t.Fatalf("console sign-in: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	return a
}

// act posts a console action (takeover, reassign, reply …) on conversation
// conv and returns the status of the page it ends on.
func (a *chatAppsAgent) act(conv int, action string, form url.Values) int {
	a.t.Helper()
	path := "/console/c/" + strconv.Itoa(conv)
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", a.csrf(path))
	resp, err := a.c.PostForm(a.base+path+"/"+action, form)
	if err != nil {
		a.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

var consoleLink = regexp.MustCompile(`/console/conversations/(\d+)`)

// conversationOf returns the conversation id of the console link in an
// alert card.
func conversationOf(t *testing.T, card string) int {
	t.Helper()
	m := consoleLink.FindStringSubmatch(card)
	if m == nil {
		t.Fatalf("no console link on the alert card: %s", card)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// waitFor polls cond every 5 ms for up to 10 s and reports whether it held.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestServeChatApps runs `concierge serve` itself on loopback, configured
// as the README says (secrets as ${ENV}), with its wecom, feishu and
// dingtalk sections pointed at the fakes of the three platforms and alert
// cards of kinds feishu and dingtalk; the embedded demo company answers.
// On each platform: a signed message is answered through the platform's
// API, once however often the platform retries it; forged, replayed and
// stale requests are refused; a complaint hands off and puts an alert card
// in both managers' chats; the bot stays silent while the conversation is
// handed off; and an agent's reply from the console reaches the customer on
// the platform they wrote from. The card buttons act too: Acknowledge on
// Feishu (HTTP), Take over on DingTalk (Stream).
func TestServeChatApps(t *testing.T) {
	ctx := context.Background()
	const (
		corp   = "ww1436e0e65a779aee"
		aesKey = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
		kf     = "wkShop"
		wxUser = "wmCustomer1"
	)
	wc, err := wecomtest.New(wecomtest.Options{CorpID: corp, Token: "wecom-token", EncodingAESKey: aesKey, AgentID: 1000002,
		Secret: "wecom-app-secret", KFSecret: "wecom-kf-secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer wc.Close()
	fs := feishutest.New(t)
	dt := dingtalktest.New(t)

	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfgPath := filepath.Join(dir, "concierge.yaml")
	config := fmt.Sprintf(`server:
  public_url: https://help.example.com
wecom:
  corp_id: %s
  agent_id: 1000002
  secret: ${WECOM_SECRET}
  token: ${WECOM_TOKEN}
  encoding_aes_key: ${WECOM_AES_KEY}
  kf_secret: ${WECOM_KF_SECRET}
  api_url: %s
feishu:
  app_id: %s
  app_secret: ${FEISHU_APP_SECRET}
  verification_token: ${FEISHU_VERIFICATION_TOKEN}
  encrypt_key: ${FEISHU_ENCRYPT_KEY}
  api_url: %s
dingtalk:
  app_key: %s
  app_secret: ${DINGTALK_APP_SECRET}
  stream: true
  customer_chats: [cid-shop]
  api_url: %s
alerts:
  - kind: feishu
    to: oc_alerts
  - kind: dingtalk
    to: cid-alerts
`, corp, wc.URL, feishutest.AppID, fs.URL, dingtalktest.AppKey, dt.URL)
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	base, stop := runServe(t, map[string]string{
		"WECOM_SECRET": "wecom-app-secret", "WECOM_TOKEN": "wecom-token", "WECOM_AES_KEY": aesKey, "WECOM_KF_SECRET": "wecom-kf-secret",
		"FEISHU_APP_SECRET": feishutest.AppSecret, "FEISHU_VERIFICATION_TOKEN": feishutest.VerificationToken,
		"FEISHU_ENCRYPT_KEY": feishutest.EncryptKey, "DINGTALK_APP_SECRET": dingtalktest.AppSecret,
	}, "--config", cfgPath, "--data", data, "--addr", "127.0.0.1:0")
	wc.Target = base
	agent := chatAppsSignIn(t, base, data)

	// Alert cards: every escalation puts one in the Feishu managers' chat
	// and one in the DingTalk managers' group.
	feishuCards := func() []feishutest.Sent {
		var cards []feishutest.Sent
		for _, s := range fs.Sent() {
			if s.ReceiveID == "oc_alerts" {
				cards = append(cards, s)
			}
		}
		return cards
	}
	dingTalkCards := func() []dingtalktest.Sent {
		var cards []dingtalktest.Sent
		for _, s := range dt.Sent() {
			if s.Target == "cid-alerts" {
				cards = append(cards, s)
			}
		}
		return cards
	}
	// nextCards waits for the n-th card in both managers' chats and returns
	// them.
	nextCards := func(n int) (feishutest.Sent, dingtalktest.Sent) {
		t.Helper()
		if !waitFor(func() bool { return len(feishuCards()) >= n && len(dingTalkCards()) >= n }) {
			t.Fatalf("alert cards: %d in Feishu, %d in DingTalk, want %d each", len(feishuCards()), len(dingTalkCards()), n)
		}
		return feishuCards()[n-1], dingTalkCards()[n-1]
	}

	// ----- Feishu (HTTP events) -----
	fu := base + "/feishu/events"
	if st, body, err := feishutest.Post(fu, feishutest.Seal(map[string]any{"type": "url_verification", "challenge": "c-7",
		"token": feishutest.VerificationToken}, feishutest.EncryptKey, time.Now())); err != nil || st != 200 || !strings.Contains(string(body), `"c-7"`) {
		t.Fatalf("feishu url_verification: %d %s %v", st, body, err)
	}
	fsMsg := func(id, text string) map[string]any {
		return feishutest.MessageEvent("ev-"+id, id, "oc_dm", "p2p", "ou_cust", "tenant-customer", text, false, "")
	}
	fsAnswers := func(id string) (n int, text string) {
		for _, s := range fs.Sent() {
			if s.ReplyTo == id {
				n, text = n+1, feishutest.CardText(s.Content)
			}
		}
		return n, text
	}
	// Feishu retries an event it did not see acknowledged, freshly signed:
	// three deliveries, one answer.
	for range 3 {
		if st := feishutest.Deliver(fu, fsMsg("om_q1", "How long does shipping take?"), 1); st != http.StatusOK {
			t.Fatalf("feishu question refused: %d", st)
		}
	}
	if !waitFor(func() bool { n, _ := fsAnswers("om_q1"); return n > 0 }) {
		t.Fatalf("feishu question not answered; sent %+v", fs.Sent())
	}
	if _, text := fsAnswers("om_q1"); !strings.Contains(text, "https://help.example.com/kb/") {
		t.Errorf("feishu answer cites no help-center page: %s", text)
	}
	once := feishutest.Seal(fsMsg("om_q2", "How long does shipping take?"), feishutest.EncryptKey, time.Now())
	for _, c := range []struct {
		name string
		req  feishutest.Request
		want int
	}{
		{"signed with another key", feishutest.Seal(fsMsg("om_f1", "hi"), "not-the-key", time.Now()), http.StatusUnauthorized},
		{"two hours old", feishutest.Seal(fsMsg("om_f2", "hi"), feishutest.EncryptKey, time.Now().Add(-2*time.Hour)), http.StatusUnauthorized},
		{"unsigned", feishutest.Request{Body: once.Body, Header: http.Header{"Content-Type": {"application/json"}}}, http.StatusUnauthorized},
		{"first delivery", once, http.StatusOK},
		{"the same request again (replay)", once, http.StatusUnauthorized},
	} {
		if st, _, err := feishutest.Post(fu, c.req); err != nil || st != c.want {
			t.Errorf("feishu %s: %d %v, want %d", c.name, st, err, c.want)
		}
	}
	// The replayed question is answered before the complaint, so that its
	// answer cannot land after the escalation (it would then be the one
	// holding message).
	if !waitFor(func() bool { n, _ := fsAnswers("om_q2"); return n > 0 }) {
		t.Fatalf("feishu: the first delivery of om_q2 was not answered")
	}
	// A complaint: the customer is told someone is coming, and the
	// managers get a card whose Acknowledge acts at once.
	if st := feishutest.Deliver(fu, fsMsg("om_c", "我要投诉，你们的快递三个星期都没到，太差了"), 1); st != http.StatusOK {
		t.Fatalf("feishu complaint refused: %d", st)
	}
	card, _ := nextCards(1)
	fsConv := conversationOf(t, card.Content)
	ack := alertButton(t, card.Content, feishu.AlertAcknowledge)
	click := feishutest.Seal(feishutest.CardActionEvent("ev-ack", "ou_lead", feishutest.TenantKey, card.MessageID, "oc_alerts", ack),
		feishutest.EncryptKey, time.Now())
	if st, b, _ := feishutest.Post(fu, click); st != 200 || !strings.Contains(string(b), "Acknowledged by") {
		t.Errorf("feishu Acknowledge: %d %s", st, b)
	}
	if !waitFor(func() bool { n, _ := fsAnswers("om_c"); return n == 1 }) {
		t.Errorf("feishu complaint: the customer was not told once that someone is coming")
	}
	for _, id := range []string{"om_s1", "om_s2"} {
		if st := feishutest.Deliver(fu, fsMsg(id, "How long does shipping take? Anyone there?"), 1); st != http.StatusOK {
			t.Fatalf("feishu %s refused: %d", id, st)
		}
	}
	// Handed off: one holding message between the two, then silence.
	held := func() (texts []string) {
		for _, s := range fs.Sent() {
			if s.ReplyTo == "om_s1" || s.ReplyTo == "om_s2" {
				texts = append(texts, feishutest.CardText(s.Content))
			}
		}
		return texts
	}
	if !waitFor(func() bool { return len(held()) >= 1 }) {
		t.Errorf("feishu: no holding message for two lines sent after the complaint; sent %+v", fs.Sent())
	}
	time.Sleep(200 * time.Millisecond) // a second message would follow at once
	if h := held(); len(h) != 1 {
		t.Errorf("feishu: the bot sent %d messages during the handoff, want the one holding message:\n%s", len(h), strings.Join(h, "\n"))
	}
	if st := agent.act(fsConv, "takeover", nil); st != http.StatusOK {
		t.Fatalf("console take over of the feishu conversation: %d", st)
	}
	if st := agent.act(fsConv, "reply", url.Values{"text": {"您好，我是客服 Li，马上为您查询。"}}); st != http.StatusOK {
		t.Fatalf("console reply to the feishu customer: %d", st)
	}
	var agentReply string
	if !waitFor(func() bool {
		for _, s := range fs.Sent() {
			if text := feishutest.CardText(s.Content); strings.Contains(text, "马上为您查询") && (s.ReplyTo != "" || s.ReceiveID == "oc_dm") {
				agentReply = text
				return true
			}
		}
		return false
	}) {
		t.Fatalf("the agent's reply did not reach the feishu customer; sent %+v", fs.Sent())
	}
	if !strings.Contains(agentReply, "admin") {
		t.Errorf("feishu agent reply does not name the agent: %s", agentReply)
	}

	// ----- DingTalk (HTTP callback and Stream) -----
	dt.WaitConnects(1)
	du := base + "/dingtalk/callback"
	exp := time.Now().Add(time.Hour)
	dtMsg := func(id, text string) map[string]any {
		return dt.Message(id, "cid-shop", true, "cust1", "corp-customer", text, exp)
	}
	dtAnswers := func() (n int) {
		for _, s := range dt.Sent() {
			if s.Target == "cid-shop" {
				n++
			}
		}
		return n
	}
	// DingTalk retries with a fresh signature, and may also push the same
	// message over Stream: one answer.
	for range 3 {
		if st := dingtalktest.Deliver(du, dtMsg("m-q1", "How long does shipping take?")); st != http.StatusOK {
			t.Fatalf("dingtalk question refused: %d", st)
		}
		time.Sleep(2 * time.Millisecond) // DingTalk's retries are signed in distinct milliseconds
	}
	if a, ok := dt.Push("CALLBACK", dingtalk.TopicBotMessage, dtMsg("m-q1", "How long does shipping take?")); !ok || a.Code != 200 {
		t.Fatalf("dingtalk stream ack %+v", a)
	}
	if !waitFor(func() bool { return dtAnswers() > 0 }) {
		t.Fatalf("dingtalk question not answered; sent %+v", dt.Sent())
	}
	for _, s := range dt.Sent() {
		if s.Target == "cid-shop" && (s.Path != "/robot/sendBySession" || !strings.Contains(s.Text, "https://help.example.com/kb/")) {
			t.Errorf("dingtalk answer %+v", s)
		}
	}
	body, _ := json.Marshal(dtMsg("m-f0", "hi"))
	r1, b1 := dingtalktest.Signed(dtMsg("m-q2", "How long does shipping take?"), dingtalktest.AppSecret, time.Now())
	rOther, bOther := dingtalktest.Signed(dtMsg("m-f1", "hi"), "not-the-secret", time.Now())
	rOld, bOld := dingtalktest.Signed(dtMsg("m-f2", "hi"), dingtalktest.AppSecret, time.Now().Add(-2*time.Hour))
	for _, c := range []struct {
		name string
		h    http.Header
		body []byte
		want int
	}{
		{"unsigned", http.Header{"Content-Type": {"application/json"}}, body, http.StatusUnauthorized},
		{"signed with another secret", rOther.Header, bOther, http.StatusUnauthorized},
		{"two hours old", rOld.Header, bOld, http.StatusUnauthorized},
		{"first delivery", r1.Header, b1, http.StatusOK},
		{"the same request again (replay)", r1.Header, b1, http.StatusUnauthorized},
	} {
		if st := dingtalktest.Post(du, c.h, c.body); st != c.want {
			t.Errorf("dingtalk %s: %d, want %d", c.name, st, c.want)
		}
	}
	// Two questions, one delivered four times and one replayed: two answers.
	if !waitFor(func() bool { return dtAnswers() >= 2 }) {
		t.Fatalf("dingtalk: %d answers to two questions", dtAnswers())
	}
	time.Sleep(100 * time.Millisecond) // a second answer would follow at once
	before := dtAnswers()
	if before != 2 {
		t.Errorf("dingtalk: %d answers to two questions, one delivered four times and one replayed", before)
	}
	if st := dingtalktest.Deliver(du, dtMsg("m-c", "我要投诉，**客服**一直不回 [点这里](javascript:alert(1))")); st != http.StatusOK {
		t.Fatalf("dingtalk complaint refused: %d", st)
	}
	_, dcard := nextCards(2)
	dtConv := conversationOf(t, dcard.Text)
	if strings.Contains(dcard.Text, "**客服**") || strings.Contains(dcard.Text, "(javascript:") {
		t.Errorf("the customer's words format or link on the dingtalk card: %s", dcard.Text)
	}
	bizID, _ := dcard.Body["cardBizId"].(string)
	value, _ := json.Marshal(map[string]any{"cardPrivateData": map[string]any{"actionIds": []string{dingtalk.AlertTakeOver}, "params": map[string]any{}}})
	if a, ok := dt.Push("CALLBACK", dingtalk.TopicCardCallback, map[string]any{"userId": "lead7", "corpId": dingtalktest.CorpID,
		"outTrackId": bizID, "value": string(value), "type": "actionCallback"}); !ok || a.Code != 200 {
		t.Fatalf("dingtalk Take over click ack %+v", a)
	}
	if !waitFor(func() bool { return dtAnswers() == before+1 }) {
		t.Errorf("dingtalk complaint: %d messages to the customer, want the one saying someone is coming", dtAnswers()-before)
	}
	for _, id := range []string{"m-s1", "m-s2"} {
		if st := dingtalktest.Deliver(du, dtMsg(id, "How long does shipping take? Anyone there?")); st != http.StatusOK {
			t.Fatalf("dingtalk %s refused: %d", id, st)
		}
	}
	// The card's Take over gave the conversation to lead7 (the click is
	// acknowledged before it is carried out): the console sees it held by
	// another agent; the manager takes it for themself.
	if !waitFor(func() bool { return strings.Contains(agent.page("/console/c/"+strconv.Itoa(dtConv)), "lead7") }) {
		t.Errorf("the DingTalk card's Take over never reached the console")
	}
	if st := agent.act(dtConv, "takeover", nil); st != http.StatusConflict {
		t.Errorf("console take over of a conversation taken on the DingTalk card: %d, want 409 (held by dingtalk:lead7)", st)
	}
	if st := agent.act(dtConv, "reassign", nil); st != http.StatusOK {
		t.Fatalf("console reassign of the dingtalk conversation: %d", st)
	}
	// Handed off: one holding message between the two, then silence.
	if !waitFor(func() bool { return dtAnswers() >= before+2 }) {
		t.Errorf("dingtalk: no holding message for two lines sent after the complaint; sent %+v", dt.Sent())
	}
	time.Sleep(200 * time.Millisecond) // a second message would follow at once
	duringHandoff := dtAnswers()
	if n := duringHandoff - before - 1; n != 1 {
		var texts []string
		for _, s := range dt.Sent() {
			if s.Target == "cid-shop" {
				texts = append(texts, s.Text)
			}
		}
		t.Errorf("dingtalk: the bot sent %d messages during the handoff, want the one holding message:\n%s", n, strings.Join(texts[before:], "\n"))
	}
	if st := agent.act(dtConv, "reply", url.Values{"text": {"您好，我是客服 Li，*马上*处理。"}}); st != http.StatusOK {
		t.Fatalf("console reply to the dingtalk customer: %d", st)
	}
	var dtReply dingtalktest.Sent
	if !waitFor(func() bool {
		for _, s := range dt.Sent() {
			if s.Target == "cid-shop" && strings.Contains(s.Text, "处理") {
				dtReply = s
				return true
			}
		}
		return false
	}) {
		t.Fatalf("the agent's reply did not reach the dingtalk customer; sent %+v", dt.Sent())
	}
	if !strings.Contains(dtReply.Text, "&#42;马上&#42;") {
		t.Errorf("dingtalk agent reply not escaped as chat Markdown: %s", dtReply.Text)
	}

	// ----- WeCom: the self-built app (employees) and customer service (kf) -----
	if st, got, want, err := wc.VerifyURL(ctx, "/wecom/callback"); err != nil || st != 200 || got != want {
		t.Fatalf("wecom URL check: %d %q, %v", st, got, err)
	}
	wcSent := func(path, to string) (n int) {
		for _, s := range wc.Sent() {
			if s.Path == path && s.ToUser == to {
				n++
			}
		}
		return n
	}
	// WeCom retransmits the same bytes when it saw no answer: one answer.
	cb := wc.Seal("/wecom/callback", wc.AppText(wecomtest.AppMessage{From: "zhangsan", Content: "How long does shipping take?"}))
	for range 2 {
		if st := wc.PostOnce(ctx, cb); st != http.StatusOK {
			t.Fatalf("wecom employee message: %d", st)
		}
	}
	if !waitFor(func() bool { return wcSent("/cgi-bin/message/send", "zhangsan") > 0 }) {
		t.Fatalf("wecom employee not answered; sent %+v", wc.Sent())
	}
	other, err := wecomtest.New(wecomtest.Options{CorpID: corp, Token: "wecom-token", EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	elsewhere, err := wecomtest.New(wecomtest.Options{CorpID: "wwAnotherCompany", Token: "wecom-token", EncodingAESKey: aesKey})
	if err != nil {
		t.Fatal(err)
	}
	defer elsewhere.Close()
	// A replay: another body, correctly signed, under a timestamp and nonce
	// already used.
	enc := wc.Encrypt(wc.AppText(wecomtest.AppMessage{From: "zhangsan", Content: "hi"}), corp)
	ts, nonce := cb.Query.Get("timestamp"), cb.Query.Get("nonce")
	replayed := wecomtest.Callback{Path: "/wecom/callback", Body: wc.Envelope(enc), Query: url.Values{
		"msg_signature": {wecomtest.Sign("wecom-token", ts, nonce, enc)}, "timestamp": {ts}, "nonce": {nonce}}}
	for _, c := range []struct {
		name string
		cb   wecomtest.Callback
	}{
		{"encrypted with another key", other.Seal("/wecom/callback", other.AppText(wecomtest.AppMessage{From: "mallory", Content: "hi"}))},
		{"of another company", elsewhere.Seal("/wecom/kf/callback", elsewhere.KFNotice(kf))},
		{"a used nonce with another body (replay)", replayed},
	} {
		if st := wc.PostOnce(ctx, c.cb); st != http.StatusUnauthorized {
			t.Errorf("wecom %s: %d, want 401", c.name, st)
		}
	}
	// A WeChat customer asks, then complains, through customer service.
	wc.CustomerWrites(kf, wxUser, "运费怎么算？")
	if r := wc.NotifyKF(ctx, kf); !r.Acked() {
		t.Fatalf("wecom kf notice: %v", r.Attempts)
	}
	if !waitFor(func() bool { return wcSent("/cgi-bin/kf/send_msg", wxUser) > 0 }) {
		t.Fatalf("wecom kf customer not answered; sent %+v", wc.Sent())
	}
	wc.CustomerWrites(kf, wxUser, "我要投诉，订单三周都没到！")
	if r := wc.NotifyKF(ctx, kf); !r.Acked() {
		t.Fatalf("wecom kf notice: %v", r.Attempts)
	}
	wcard, _ := nextCards(3)
	wcConv := conversationOf(t, wcard.Content)
	if !waitFor(func() bool { return wcSent("/cgi-bin/kf/send_msg", wxUser) == 2 }) {
		t.Errorf("wecom kf complaint: the customer was not told once that someone is coming; sent %+v", wc.Sent())
	}
	if st := agent.act(wcConv, "takeover", nil); st != http.StatusOK {
		t.Fatalf("console take over of the wecom conversation: %d", st)
	}
	if st := agent.act(wcConv, "reply", url.Values{"text": {"您好，我是客服 Li，订单正在查。"}}); st != http.StatusOK {
		t.Fatalf("console reply to the wechat customer: %d", st)
	}
	if !waitFor(func() bool {
		for _, s := range wc.Sent() {
			if s.Path == "/cgi-bin/kf/send_msg" && s.ToUser == wxUser && s.OpenKfID == kf && strings.Contains(s.Text, "订单正在查") {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("the agent's reply did not reach the wechat customer; sent %+v", wc.Sent())
	}

	if code := stop(); code != 0 {
		t.Errorf("serve exited %d after shutdown", code)
	}
	// Retries answered twice: none, on any platform.
	if n, _ := fsAnswers("om_q1"); n != 1 {
		t.Errorf("feishu: an event delivered three times was answered %d times", n)
	}
	if n, _ := fsAnswers("om_q2"); n != 1 {
		t.Errorf("feishu: a replayed event was answered %d times", n)
	}
	if n := wcSent("/cgi-bin/message/send", "zhangsan"); n != 1 {
		t.Errorf("wecom: a retransmitted callback was answered %d times", n)
	}
	if n := dtAnswers() - duringHandoff; n != 1 {
		t.Errorf("dingtalk: %d messages after the agent's reply, want just it", n)
	}
	if n := len(feishuCards()); n != 3 {
		t.Errorf("%d alert cards in Feishu, want one per complaint (3)", n)
	}
}
