package llm_test

// Tests of the target figures: no internal passage sent for a
// customer, no contact data sent, fallback when the provider is down or slow,
// and prompt injection that changes nothing.

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
	"github.com/concierge-bot/concierge/configs/demo"
	"github.com/concierge-bot/concierge/knowledge"
	"github.com/concierge-bot/concierge/llm"
	"github.com/concierge-bot/concierge/llm/llmtest"
)

// demoContent loads the demo company's content as the binary embeds it
// (configs/demo), so that the guard of internal pages below can never skip
// because a package or fixture moved.
func demoContent(t testing.TB) []knowledge.Document {
	t.Helper()
	docs, probs, err := knowledge.Load(demo.Content())
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) > 0 {
		t.Logf("demo content problems (ignored here): %v", probs)
	}
	return docs
}

// fingerprints are pieces of a document's text long enough to identify it
// and free of digits (which masking may change).
func fingerprints(d knowledge.Document) []string {
	var out []string
	for _, line := range strings.Split(d.Body, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if strings.ContainsAny(line, "0123456789|") || utf8.RuneCountInString(line) < 24 {
			continue
		}
		out = append(out, string([]rune(line)[:18]))
	}
	return out
}

// sentPassages is the text of every passage the fake server received in an
// answer prompt (the customer's own words are elsewhere in the prompt).
func sentPassages(srv *llmtest.Server) string {
	var b strings.Builder
	for _, r := range srv.Requests() {
		if r.Chat == nil {
			continue
		}
		for _, p := range llmtest.Passages(r.Chat.User) {
			b.WriteString(p.Title + "\n" + p.Text + "\n")
		}
	}
	return b.String()
}

// sentText is everything the fake server received as text: chat messages
// and embedding inputs.
func sentText(srv *llmtest.Server) string {
	var b strings.Builder
	for _, r := range srv.Requests() {
		if r.Chat != nil {
			for _, m := range r.Chat.Messages {
				b.WriteString(m.Content + "\n")
			}
		}
		for _, in := range r.Inputs {
			b.WriteString(in + "\n")
		}
	}
	return b.String()
}

func hitOf(d knowledge.Document) bot.Hit {
	return bot.Hit{ID: d.ID, Title: d.Title, Kind: d.Kind, Audience: d.Audience, Language: d.Lang,
		Answer: d.Body + d.Answer, Confidence: 0.9}
}

// TestTargetNoInternalPassageForCustomers: over every internal page of the
// demo content, (1) the client refuses to send an internal passage offered
// for a customer, and (2) the whole pipeline (knowledge index → Engine →
// client) asked as a customer with each internal page's own words sends none
// of them; asked as an employee it does (so the check can fail).
func TestTargetNoInternalPassageForCustomers(t *testing.T) {
	if testing.Short() {
		t.Skip("asks with every internal page of the demo content (about 4 s); the full suite runs it")
	}
	docs := demoContent(t)
	var internal, public []knowledge.Document
	for _, d := range docs {
		if d.Audience == bot.AudienceInternal {
			internal = append(internal, d)
		} else {
			public = append(public, d)
		}
	}
	if len(internal) == 0 {
		t.Fatal("demo content has no internal pages")
	}
	ctx := context.Background()
	c, srv, _ := newClient(t, llm.Options{}, llmtest.Options{})
	for _, d := range internal {
		for _, role := range []bot.Role{bot.RoleCustomer, ""} {
			_, err := c.Generate(ctx, bot.GenerateRequest{Question: d.Title, Language: "en", Role: role,
				Passages: []bot.Hit{hitOf(public[0]), hitOf(d)}})
			if !errors.Is(err, llm.ErrInternalPassage) {
				t.Errorf("%s for role %q: err = %v, want ErrInternalPassage", d.ID, role, err)
			}
		}
	}
	if n := srv.Count(""); n != 0 {
		t.Fatalf("%d requests sent with internal passages for customers, want 0", n)
	}

	ix, err := knowledge.Build(ctx, filepath.Join(t.TempDir(), "kb"), docs, knowledge.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	engine := func(role bot.Role) *bot.Engine {
		e, err := bot.NewEngine(bot.EngineOptions{
			Classifier: &bottest.Classifier{Default: bot.Classification{Intent: "policy", Confidence: 0.9, Language: "en"}},
			Retriever:  ix, Store: &bottest.Store{}, Generator: c, MinAnswerConfidence: 0.01,
		})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	ask := func(role bot.Role) (sent string, queries int) {
		srv.Reset()
		e := engine(role)
		for i, d := range internal {
			for _, q := range append([]string{d.Title}, fingerprints(d)...) {
				if _, err := e.Handle(ctx, bot.Message{Channel: bot.ChannelWeb, ExternalUserID: fmt.Sprintf("u%d", i), Text: q, Role: role}); err != nil {
					t.Fatal(err)
				}
				queries++
			}
		}
		return sentPassages(srv), queries
	}
	sent, queries := ask(bot.RoleCustomer)
	leaks := 0
	for _, d := range internal {
		for _, fp := range fingerprints(d) {
			if strings.Contains(sent, fp) && !inPublic(public, fp) {
				leaks++
				t.Errorf("internal page %s sent for a customer: %q", d.ID, fp)
			}
		}
	}
	t.Logf("customer: %d internal documents (page sections), %d questions in their own words, %d chat requests, %d internal passages sent",
		len(internal), queries, srv.Count("/v1/chat/completions"), leaks)
	sent, _ = ask(bot.RoleEmployee)
	seen := 0
	for _, d := range internal {
		for _, fp := range fingerprints(d) {
			if strings.Contains(sent, fp) {
				seen++
				break
			}
		}
	}
	if seen == 0 {
		t.Error("no internal page sent for an employee either: the leak check cannot fail")
	}
}

func inPublic(public []knowledge.Document, fp string) bool {
	return slices.ContainsFunc(public, func(d knowledge.Document) bool { return strings.Contains(d.Body+d.Answer, fp) })
}

// contactMessages builds n customer messages full of contact data in English
// and Chinese formats, and the raw values they hold.
func contactMessages(n int) (msgs []string, values []string) {
	users := []string{"jane.doe", "li.wei", "tea_lover+orders", "m.chen", "sales-team"}
	domains := []string{"example.com", "mail.example.cn", "shop.example.co.uk", "qq.example.com"}
	mobiles := []string{"13812345678", "+86 139 1234 5678", "150-1234-5678", "+8618612345678", "0086 177 2345 6789"}
	intl := []string{"+1 (415) 555-0100", "+44 20 7946 0958", "(021) 6234 5678", "010-87654321", "415-555-0199"}
	orders := []string{"JL-204519", "JL-998801", "JL-100234"}
	templates := []string{
		"Hi, I'm %[1]s, email me at %[2]s or call %[3]s about order %[5]s",
		"我的手机号是%[3]s，邮箱%[2]s，订单号%[5]s，请尽快联系我",
		"Please ring %[4]s (office) or %[3]s (mobile); backup mail %[2]s",
		"联系电话：%[4]s / %[3]s，或者发邮件到 %[2]s",
		"order %[5]s — reach me: %[2]s, %[3]s, %[4]s",
	}
	for i := range n {
		email := users[i%len(users)] + fmt.Sprint(i) + "@" + domains[i%len(domains)]
		mob, tel, order := mobiles[i%len(mobiles)], intl[(i/2)%len(intl)], orders[i%len(orders)]
		msgs = append(msgs, fmt.Sprintf(templates[i%len(templates)], users[i%len(users)], email, mob, tel, order))
		values = append(values, email, mob, tel, order)
	}
	return msgs, values
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestTargetNoContactDataSent: 100 messages full of contact data (in the
// question, the history and a passage) leave the process with none of it,
// and the reply gets the customer's own values back.
func TestTargetNoContactDataSent(t *testing.T) {
	msgs, values := contactMessages(100)
	c, srv, _ := newClient(t, llm.Options{MaskOrderNumbers: regexp.MustCompile(`\bJL-\d{6}\b`), EmbeddingModel: "fake-embed"},
		llmtest.Options{Chat: func(r llmtest.ChatRequest) llmtest.Reply {
			// A model that repeats the placeholders it was given.
			q := llmtest.CustomerMessage(r.User)
			var held []string
			for _, f := range strings.FieldsFunc(q, func(r rune) bool { return r == ' ' || r == '，' || r == ',' || r == '/' }) {
				if i := strings.Index(f, "[EMAIL_"); i >= 0 {
					held = append(held, f[i:i+strings.Index(f[i:], "]")+1])
				}
			}
			return llmtest.Reply{Text: "We will write to " + strings.Join(held, " ") + " as soon as possible [1]."}
		}})
	ctx := context.Background()
	restored := 0
	for i, m := range msgs {
		hist := []bot.StoredMessage{{Inbound: true, Author: bot.AuthorCustomer, Text: msgs[(i+1)%len(msgs)]}, {Author: bot.AuthorBot, Text: "Thanks!"}}
		p := passages()[:1]
		p[0].Answer += " Contact us at service@jadeleaf.example or 400-820-1234."
		g, err := c.Generate(ctx, bot.GenerateRequest{Question: m, Language: "en", Role: bot.RoleCustomer, Passages: p, History: hist})
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if strings.Contains(g.Text, "@") && !strings.Contains(g.Text, "[EMAIL_") {
			restored++
		}
	}
	if _, err := c.Embed(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	srv.SetChat(llmtest.Grounded)
	if _, err := c.Summarize(ctx, []bot.StoredMessage{{Inbound: true, Author: bot.AuthorCustomer, Text: msgs[0]}}, "en"); err != nil {
		t.Fatal(err)
	}
	var raw strings.Builder
	for _, r := range srv.Requests() {
		raw.Write(r.Body)
	}
	sent := sentText(srv) + raw.String()
	sentDigits := digitsOf(sent)
	found := 0
	for _, v := range append(values, "service@jadeleaf.example", "400-820-1234") {
		if strings.Contains(sent, v) || (len(digitsOf(v)) >= 7 && strings.Contains(sentDigits, digitsOf(v))) {
			found++
			t.Errorf("contact data sent to the provider: %q", v)
		}
	}
	t.Logf("%d messages, %d contact values, %d requests, %d values sent, %d replies with the email restored",
		len(msgs), len(values), srv.Count(""), found, restored)
	if restored < len(msgs)/2 {
		t.Errorf("only %d of %d replies had the customer's email restored", restored, len(msgs))
	}
}
