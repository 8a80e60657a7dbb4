package storetest

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

func testReadViews(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	t0 := e.clk.Now()
	c1, _ := appendIn(t, s, "web", "w-1", "hi from web", t0)
	c2, _ := appendIn(t, s, "slack", "U123", "hi from slack", t0.Add(time.Minute))
	got, err := s.Customers(ctx, bot.CustomerFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.Customer{
		{ID: c1.CustomerID, Segment: bot.SegmentNew, Created: t0, Updated: t0, Identities: []bot.Identity{{Channel: "web", ExternalID: "w-1"}},
			Role: "customer", Inbound: 1, LastSeen: t0},
		{ID: c2.CustomerID, Segment: bot.SegmentNew, Created: t0.Add(time.Minute), Updated: t0.Add(time.Minute),
			Identities: []bot.Identity{{Channel: "slack", ExternalID: "U123"}}, Role: "customer", Inbound: 1, LastSeen: t0.Add(time.Minute)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Customers (-want +got):\n%s", diff)
	}
	if got, _ := s.Customers(ctx, bot.CustomerFilter{Limit: 1, AfterID: c1.CustomerID}); len(got) != 1 || got[0].ID != c2.CustomerID {
		t.Errorf("paged Customers = %+v", got)
	}
	if got, _ := s.Customers(ctx, bot.CustomerFilter{Limit: 1}); len(got) != 1 || got[0].ID != c1.CustomerID {
		t.Errorf("first page of one = %+v, want customer %d", got, c1.CustomerID)
	}
	if got, _ := s.Customers(ctx, bot.CustomerFilter{Segment: bot.SegmentVIP}); len(got) != 0 {
		t.Errorf("VIP customers = %+v, want none", got)
	}
	if got, _ := s.Customers(ctx, bot.CustomerFilter{Segment: bot.SegmentNew}); len(got) != 2 {
		t.Errorf("new customers = %d, want 2", len(got))
	}
	one, err := s.Customer(ctx, c2.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[1], one); diff != "" {
		t.Errorf("Customer (-want +got):\n%s", diff)
	}
	for _, read := range []struct {
		name string
		err  func() error
	}{
		{"Customer", func() error { _, err := s.Customer(ctx, 9999); return err }},
		{"Conversations", func() error { _, err := s.Conversations(ctx, 9999); return err }},
		{"Messages", func() error { _, err := s.Messages(ctx, 9999); return err }},
		{"Conversation", func() error { _, err := s.Conversation(ctx, 9999); return err }},
		{"Events", func() error { _, err := s.Events(ctx, 9999); return err }},
		{"Notes", func() error { _, err := s.Notes(ctx, 9999); return err }},
	} {
		if err := read.err(); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Errorf("%s(unknown) = %v, want ENOTFOUND", read.name, err)
		}
	}
	convs, err := s.Conversations(ctx, c1.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	wantConv := []bot.ConversationInfo{{ID: c1.ID, CustomerID: c1.CustomerID, Channel: "web", Status: bot.StatusBot,
		Opened: t0, LastMessage: t0, Messages: 1}}
	if diff := cmp.Diff(wantConv, convs); diff != "" {
		t.Errorf("Conversations (-want +got):\n%s", diff)
	}
	if err := s.SetCSAT(ctx, c1.ID, 6); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("SetCSAT(6) = %v, want EINVALID", err)
	}
	if err := s.SetCSAT(ctx, 9999, 3); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("SetCSAT(unknown) = %v, want ENOTFOUND", err)
	}
	if err := s.SetCSAT(ctx, c1.ID, 4); err != nil {
		t.Fatal(err)
	}
	if info, _ := s.Conversation(ctx, c1.ID); info.CSAT != 4 {
		t.Errorf("CSAT = %d, want 4", info.CSAT)
	}
	if kinds := eventKinds(t, s, c1.CustomerID); !contains(kinds, bot.EventCSAT) {
		t.Errorf("events %v lack %q", kinds, bot.EventCSAT)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

// testOneCustomerAcrossChannels: a person writes on the web, then on Slack,
// then gives the same email on both; the records become one and its
// timeline shows every channel's messages in order.
func testOneCustomerAcrossChannels(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	t0 := e.clk.Now()
	web, _ := appendIn(t, s, "web", "cookie-1", "Hi, do you sell oak tables?", t0)
	slack, _ := appendIn(t, s, "slack", "U42", "Following up on the oak table", t0.Add(time.Hour))
	appendIn(t, s, "web", "cookie-1", "Any news?", t0.Add(2*time.Hour))

	if _, err := s.UpdateContact(ctx, web.CustomerID, bot.ContactUpdate{Name: "Ada", Email: " Ada@Example.COM "}, "widget"); err != nil {
		t.Fatal(err)
	}
	survivor, err := s.UpdateContact(ctx, slack.CustomerID, bot.ContactUpdate{Email: "ada@example.com", Phone: "+44 (20) 7946-0958"}, "slack")
	if err != nil {
		t.Fatal(err)
	}
	if survivor != web.CustomerID {
		t.Fatalf("UpdateContact returned %d, want the older record %d", survivor, web.CustomerID)
	}
	c, err := s.Customer(ctx, survivor)
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.Identity{{Channel: "slack", ExternalID: "U42"}, {Channel: "web", ExternalID: "cookie-1"}}
	if diff := cmp.Diff(want, c.Identities); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
	if c.Name != "Ada" || c.Email != "ada@example.com" || c.Phone != "+442079460958" || c.Inbound != 3 {
		t.Errorf("merged customer = %+v", c)
	}
	gone, err := s.Customer(ctx, slack.CustomerID)
	if err != nil || gone.MergedInto != survivor || gone.Email != "" {
		t.Errorf("merged-away record = %+v, %v; want an empty record pointing at %d", gone, err, survivor)
	}
	list, _ := s.Customers(ctx, bot.CustomerFilter{})
	if len(list) != 1 || list[0].ID != survivor {
		t.Errorf("Customers lists %d records, want only the survivor", len(list))
	}
	for q, want := range map[string]int{"ADA@": 1, "7946": 1, "ad": 1, "bob": 0, "%": 0, "_": 0} {
		if got, err := s.Customers(ctx, bot.CustomerFilter{Query: q}); err != nil || len(got) != want {
			t.Errorf("Customers(Query %q) found %d, %v; want %d", q, len(got), err, want)
		}
	}
	convs, err := s.Conversations(ctx, slack.CustomerID)
	if err != nil || len(convs) != 0 {
		t.Errorf("conversations of the merged-away record = %+v, %v; want none (they moved)", convs, err)
	}

	tl, err := s.Timeline(ctx, survivor, bot.TimelineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tl {
		if e.Message != nil {
			got = append(got, e.Channel+": "+e.Message.Text)
		}
	}
	wantMsgs := []string{"web: Hi, do you sell oak tables?", "slack: Following up on the oak table", "web: Any news?"}
	if diff := cmp.Diff(wantMsgs, got); diff != "" {
		t.Errorf("timeline messages (-want +got):\n%s", diff)
	}
	for i := 1; i < len(tl); i++ {
		if tl[i].Time.Before(tl[i-1].Time) {
			t.Errorf("timeline out of order at %d: %v before %v", i, tl[i-1].Time, tl[i].Time)
		}
	}
	if kinds := eventKinds(t, s, survivor); !contains(kinds, bot.EventMerged) {
		t.Errorf("survivor events %v lack %q", kinds, bot.EventMerged)
	}
	if kinds := eventKinds(t, s, slack.CustomerID); !contains(kinds, bot.EventMergedInto) {
		t.Errorf("merged-away events %v lack %q", kinds, bot.EventMergedInto)
	}
	// A new message on Slack lands with the survivor.
	conv, _ := appendIn(t, s, "slack", "U42", "Hello again", t0.Add(3*time.Hour))
	if conv.CustomerID != survivor {
		t.Errorf("Slack message after merge went to customer %d, want %d", conv.CustomerID, survivor)
	}
	// Changing contact data of a merged-away record is refused.
	if _, err := s.UpdateContact(ctx, slack.CustomerID, bot.ContactUpdate{Name: "x"}, "x"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("UpdateContact of a merged-away record = %v, want ECONFLICT", err)
	}
}

func testMergeErrors(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	a, _ := appendIn(t, s, "web", "a", "hi", e.clk.Now())
	b, _ := appendIn(t, s, "web", "b", "hi", e.clk.Now())
	c, _ := appendIn(t, s, "web", "c", "hi", e.clk.Now())
	tests := []struct {
		name     string
		from, to int64
		code     string
	}{
		{"itself", a.CustomerID, a.CustomerID, bot.EINVALID},
		{"unknown from", 999, a.CustomerID, bot.ENOTFOUND},
		{"unknown into", a.CustomerID, 999, bot.ENOTFOUND},
	}
	for _, tt := range tests {
		if err := s.Merge(ctx, tt.from, tt.to, "agent"); bot.ErrorCode(err) != tt.code {
			t.Errorf("%s: Merge(%d, %d) = %v, want code %q", tt.name, tt.from, tt.to, err, tt.code)
		}
	}
	if err := s.AddTag(ctx, b.CustomerID, "wholesale", "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.Merge(ctx, b.CustomerID, a.CustomerID, "agent"); err != nil {
		t.Fatal(err)
	}
	if err := s.Merge(ctx, b.CustomerID, c.CustomerID, "agent"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("merging an already merged customer: %v, want ECONFLICT", err)
	}
	if err := s.Merge(ctx, c.CustomerID, b.CustomerID, "agent"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("merging into a merged-away customer: %v, want ECONFLICT", err)
	}
	// Both had an open web conversation: the survivor keeps one open and the
	// other is resolved, with every message kept.
	convs, err := s.Conversations(ctx, a.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	open, msgs := 0, 0
	for _, cv := range convs {
		if cv.Status != bot.StatusResolved {
			open++
		}
		msgs += cv.Messages
	}
	if len(convs) != 2 || open != 1 || msgs != 2 {
		t.Errorf("after merge: %d conversations, %d open, %d messages; want 2, 1, 2", len(convs), open, msgs)
	}
	survivor, _ := s.Customer(ctx, a.CustomerID)
	if !cmp.Equal(survivor.Tags, []string{"wholesale"}) || survivor.Inbound != 2 {
		t.Errorf("survivor tags %v, inbound %d; want the merged tag and 2 messages", survivor.Tags, survivor.Inbound)
	}
	if got, _ := s.Customers(ctx, bot.CustomerFilter{Tag: "wholesale"}); len(got) != 1 || got[0].ID != a.CustomerID {
		t.Errorf("customers tagged wholesale = %+v, want only the survivor", got)
	}
}

// testConcurrentMerges merges two customers into each other at the same
// time: exactly one merge wins and the records stay consistent.
func testConcurrentMerges(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	for round := range 10 {
		a, _ := appendIn(t, s, "web", fmt.Sprintf("a%d", round), "hi", e.clk.Now())
		b, _ := appendIn(t, s, "api", fmt.Sprintf("b%d", round), "hi", e.clk.Now())
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() { errs[0] = s.Merge(ctx, a.CustomerID, b.CustomerID, "x") })
		wg.Go(func() { errs[1] = s.Merge(ctx, b.CustomerID, a.CustomerID, "y") })
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: merge results %v and %v; want exactly one success", round, errs[0], errs[1])
		}
		for _, err := range errs {
			if err != nil && bot.ErrorCode(err) != bot.ECONFLICT {
				t.Errorf("losing merge: %v, want ECONFLICT", err)
			}
		}
	}
	list, _ := s.Customers(ctx, bot.CustomerFilter{})
	if len(list) != 10 {
		t.Errorf("%d customers after 10 merges of pairs, want 10", len(list))
	}
	for _, c := range list {
		if len(c.Identities) != 2 || c.Inbound != 2 {
			t.Errorf("customer %d: %d identities, %d messages; want 2 and 2", c.ID, len(c.Identities), c.Inbound)
		}
	}
}

func testUpdateContactValidation(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	a, _ := appendIn(t, s, "web", "a", "hi", e.clk.Now())
	for _, u := range []bot.ContactUpdate{
		{Email: "not an email"}, {Email: "a@b"}, {Phone: "12"}, {Phone: "call me maybe"},
		{Name: strings.Repeat("x", 201)}, {Name: "bad\x00name"}, {Language: "en; DROP TABLE"},
	} {
		if _, err := s.UpdateContact(ctx, a.CustomerID, u, "x"); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("UpdateContact(%+v) = %v, want EINVALID", u, err)
		}
	}
	if _, err := s.UpdateContact(ctx, 999, bot.ContactUpdate{Name: "x"}, "x"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("UpdateContact(unknown) = %v, want ENOTFOUND", err)
	}
	e.clk.Add(time.Minute)
	id, err := s.UpdateContact(ctx, a.CustomerID, bot.ContactUpdate{Name: " Zoë ", Language: "ZH"}, "agent")
	if err != nil || id != a.CustomerID {
		t.Fatalf("UpdateContact = %d, %v", id, err)
	}
	c, _ := s.Customer(ctx, a.CustomerID)
	if c.Name != "Zoë" || c.Language != "zh" || !c.Updated.Equal(e.clk.Now()) {
		t.Errorf("after UpdateContact: name %q language %q updated %v; want Zoë, zh, %v", c.Name, c.Language, c.Updated, e.clk.Now())
	}
	evs, _ := s.Events(ctx, a.CustomerID)
	last := evs[len(evs)-1]
	var detail struct{ Fields []string }
	if err := json.Unmarshal(last.Detail, &detail); err != nil || last.Kind != bot.EventContactChanged || last.Actor != "agent" ||
		!cmp.Equal(detail.Fields, []string{"name", "language"}) {
		t.Errorf("last event %+v (%s), want contact_changed by agent naming the fields", last, last.Detail)
	}
	if strings.Contains(string(last.Detail), "Zo") {
		t.Errorf("the event names the value: %s", last.Detail)
	}
}

func testPipelineAndSegments(t *testing.T, e *env) {
	clk := e.clk
	s := e.open(t, Options{VIPWon: true})
	ctx := context.Background()
	conv, _ := appendIn(t, s, "web", "u", "hi", clk.Now())
	id := conv.CustomerID
	seg := func() string {
		t.Helper()
		c, err := s.Customer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Segment
	}
	if s := seg(); s != bot.SegmentNew {
		t.Errorf("first contact segment = %q, want new", s)
	}
	if n, err := s.RecomputeSegments(ctx); err != nil || n != 0 {
		t.Errorf("RecomputeSegments with nothing due = %d, %v; want 0 changes", n, err)
	}
	clk.Add(10 * 24 * time.Hour)
	if n, err := s.RecomputeSegments(ctx); err != nil || n != 1 {
		t.Errorf("RecomputeSegments = %d, %v; want 1 change", n, err)
	}
	if s := seg(); s != bot.SegmentActive {
		t.Errorf("after 10 days segment = %q, want active", s)
	}
	clk.Add(30 * 24 * time.Hour)
	if _, err := s.RecomputeSegments(ctx); err != nil {
		t.Fatal(err)
	}
	if s := seg(); s != bot.SegmentInactive {
		t.Errorf("after 40 days segment = %q, want inactive", s)
	}
	if err := s.SetStage(ctx, id, "bogus", "x"); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("SetStage(bogus) = %v, want EINVALID", err)
	}
	if err := s.SetStage(ctx, 999, bot.StageNew, "x"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("SetStage(unknown) = %v, want ENOTFOUND", err)
	}
	for _, st := range []string{bot.StageNew, bot.StageContacted, bot.StageQualified, bot.StageWon} {
		if err := s.SetStage(ctx, id, st, "sam"); err != nil {
			t.Fatal(err)
		}
	}
	if s := seg(); s != bot.SegmentVIP {
		t.Errorf("won customer with VIPWon: segment %q, want vip", s)
	}
	if vip, err := s.IsVIP(ctx, id); err != nil || !vip {
		t.Errorf("IsVIP of a won customer with VIPWon = %v, %v", vip, err)
	}
	if err := s.SetOwner(ctx, id, "sam", "boss"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOwner(ctx, id, "sam", "boss"); err != nil { // no change, no event
		t.Fatal(err)
	}
	if err := s.AddTag(ctx, id, " Wholesale ", "sam"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTag(ctx, id, "wholesale", "sam"); err != nil {
		t.Fatal(err)
	}
	c, _ := s.Customer(ctx, id)
	if c.Stage != bot.StageWon || c.Owner != "sam" || !cmp.Equal(c.Tags, []string{"wholesale"}) {
		t.Errorf("customer = stage %q owner %q tags %v", c.Stage, c.Owner, c.Tags)
	}
	if got, _ := s.Customers(ctx, bot.CustomerFilter{Stage: bot.StageWon, Tag: "wholesale"}); len(got) != 1 {
		t.Errorf("filter by stage and tag found %d customers, want 1", len(got))
	}
	wantKinds := []string{bot.EventCreated, bot.EventSegmentChanged, bot.EventSegmentChanged,
		bot.EventNewLead, bot.EventStageChanged, bot.EventStageChanged, bot.EventStageChanged,
		bot.EventSegmentChanged, bot.EventOwnerChanged, bot.EventTagged}
	if diff := cmp.Diff(wantKinds, eventKinds(t, s, id)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// A complaint makes the customer at risk, ahead of VIP.
	conv, inID := appendIn(t, s, "web", "u", "this is terrible", clk.Now())
	if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: inID, Action: bot.ActionRelay,
		Annotation: bot.Annotation{Complaint: 0.8, Sentiment: -0.7, IsComplaint: true, IsNegative: true}}); err != nil {
		t.Fatal(err)
	}
	if s := seg(); s != bot.SegmentAtRisk {
		t.Errorf("after a complaint segment = %q, want at_risk", s)
	}
	if err := s.AddTag(ctx, id, "VIP", "sam"); err != nil {
		t.Fatal(err)
	}
	clk.Add(31 * 24 * time.Hour)
	_, _ = s.RecomputeSegments(ctx)
	if s := seg(); s != bot.SegmentVIP {
		t.Errorf("a month after the complaint segment = %q, want vip", s)
	}
}

func testTagsAndVIP(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	conv, _ := escalateAt(t, s, e.clk, "u1", "bad", bot.Annotation{Complaint: 0.9, IsComplaint: true})
	c, _ := s.Conversation(ctx, conv)
	if vip, err := s.IsVIP(ctx, c.CustomerID); err != nil || vip {
		t.Errorf("IsVIP before tagging = %v, %v", vip, err)
	}
	for _, bad := range []string{"", "  ", strings.Repeat("t", 51), "a\x01b"} {
		if err := s.AddTag(ctx, c.CustomerID, bad, "agent"); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("AddTag(%q) = %v, want EINVALID", bad, err)
		}
	}
	if err := s.AddTag(ctx, 999, "vip", "agent"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("AddTag(unknown customer) = %v, want ENOTFOUND", err)
	}
	if err := s.AddTag(ctx, c.CustomerID, "VIP", "agent"); err != nil {
		t.Fatal(err)
	}
	// At risk (a complaint) and VIP: still a VIP.
	if vip, err := s.IsVIP(ctx, c.CustomerID); err != nil || !vip {
		t.Errorf("IsVIP after tagging = %v, %v", vip, err)
	}
	if vip, err := s.IsVIP(ctx, 999); err != nil || vip {
		t.Errorf("IsVIP(unknown) = %v, %v", vip, err)
	}
	if err := s.AddTag(ctx, c.CustomerID, "b-tag", "agent"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Customer(ctx, c.CustomerID)
	if !cmp.Equal(got.Tags, []string{"b-tag", "vip"}) {
		t.Errorf("tags = %v, want [b-tag vip] in order", got.Tags)
	}
	if err := s.RemoveTag(ctx, c.CustomerID, "vip", "agent"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveTag(ctx, c.CustomerID, "never-there", "agent"); err != nil {
		t.Errorf("removing a missing tag: %v", err)
	}
	if vip, _ := s.IsVIP(ctx, c.CustomerID); vip {
		t.Errorf("still VIP after the tag was removed")
	}
	kinds := eventKinds(t, s, c.CustomerID)
	tagged, untagged := 0, 0
	for _, k := range kinds {
		switch k {
		case bot.EventTagged:
			tagged++
		case bot.EventUntagged:
			untagged++
		}
	}
	if tagged != 2 || untagged != 1 {
		t.Errorf("events %v: %d tagged, %d untagged; want 2 and 1", kinds, tagged, untagged)
	}
}

func testNotesAndTimelineLimit(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	conv, _ := appendIn(t, s, "web", "u", "one", e.clk.Now())
	e.clk.Add(time.Minute)
	noteID, err := s.AddNote(ctx, conv.CustomerID, conv.ID, "alice", "Prefers email.")
	if err != nil || noteID <= 0 {
		t.Fatalf("AddNote = %d, %v", noteID, err)
	}
	if _, err := s.AddNote(ctx, conv.CustomerID, 0, "", "x"); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("note without author: %v, want EINVALID", err)
	}
	if _, err := s.AddNote(ctx, conv.CustomerID, 0, "alice", "  "); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("empty note: %v, want EINVALID", err)
	}
	if _, err := s.AddNote(ctx, 999, 0, "alice", "x"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("note on an unknown customer: %v, want ENOTFOUND", err)
	}
	if _, err := s.AddNote(ctx, conv.CustomerID, 999, "alice", "x"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("note on an unknown conversation: %v, want ENOTFOUND", err)
	}
	other, _ := appendIn(t, s, "web", "v", "other", e.clk.Now())
	if _, err := s.AddNote(ctx, conv.CustomerID, other.ID, "alice", "x"); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("note on another customer's conversation: %v, want EINVALID", err)
	}
	appendIn(t, s, "web", "u", "two", e.clk.Now().Add(time.Minute))
	notes, err := s.Notes(ctx, conv.CustomerID)
	want := []bot.Note{{ID: noteID, CustomerID: conv.CustomerID, ConversationID: conv.ID, Author: "alice",
		Text: "Prefers email.", Created: e.clk.Now()}}
	if diff := cmp.Diff(want, notes); err != nil || diff != "" {
		t.Errorf("Notes (%v) (-want +got):\n%s", err, diff)
	}
	tl, err := s.Timeline(ctx, conv.CustomerID, bot.TimelineOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl) != 2 || tl[0].Note == nil || tl[1].Message == nil || tl[1].Message.Text != "two" {
		t.Errorf("latest 2 timeline entries = %+v", tl)
	}
	all, err := s.Timeline(ctx, conv.CustomerID, bot.TimelineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, en := range all {
		switch {
		case en.Message != nil:
			kinds = append(kinds, "message:"+en.Message.Text)
		case en.Event != nil:
			kinds = append(kinds, "event:"+en.Event.Kind)
		case en.Note != nil:
			kinds = append(kinds, "note")
		}
		if en.Channel != "web" && en.Event == nil {
			t.Errorf("timeline entry %+v has channel %q, want web", en, en.Channel)
		}
	}
	// At equal times messages come before events before notes.
	wantKinds := []string{"message:one", "event:" + bot.EventCreated, "note", "message:two"}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	if _, err := s.Timeline(ctx, 999, bot.TimelineOptions{}); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("Timeline(unknown) = %v, want ENOTFOUND", err)
	}
}

// testEraseLeavesNoTrace erases a customer and then looks for any of its
// text or contact data in the store's answers and, with Hooks.Dump, in every
// table the engine owns.
func testEraseLeavesNoTrace(t *testing.T, e *env) {
	clk := e.clk
	// With an alert encoder, so the escalation's alert (its summary names
	// the order code) is in the outbox too.
	s := e.open(t, Options{Alerts: testAlerts{}})
	ctx := context.Background()
	secret := []string{"Zanzibar-Quokka-7731", "quokka.owner@example.org", "+4915550123456", "Quentin Quokka",
		"cookie-quokka-991", strings.Repeat("long secret paragraph about the quokka order ", 200)}
	conv, inID := appendIn(t, s, "web", secret[4], "My order code is "+secret[0], clk.Now())
	st, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: inID, Text: "Not sure about " + secret[0],
		Action: bot.ActionClarify, Annotation: bot.Annotation{Intent: "order_status", Complaint: 0.9, IsComplaint: true},
		Escalation: &bot.Escalation{Reason: bot.ReasonComplaint, Severity: "high", Summary: "complaint: " + secret[0]}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordFeedback(ctx, st.MessageID, false, secret[4]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendAgentMessage(ctx, conv.ID, "alice", "About "+secret[0]); err != nil {
		t.Fatal(err)
	}
	appendIn(t, s, "web", secret[4], secret[5], clk.Now())
	if _, err := s.UpdateContact(ctx, conv.CustomerID, bot.ContactUpdate{Name: secret[3], Email: secret[1], Phone: secret[2]}, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, conv.CustomerID, 0, "alice", "Call "+secret[3]); err != nil {
		t.Fatal(err)
	}
	// Tags are agents' free text, and may say as much as a note: the events
	// of adding and removing them must not keep it past an erase.
	for _, tag := range []string{"wholesale", "Quokka's reseller", "zanzibar order 7731"} {
		if err := s.AddTag(ctx, conv.CustomerID, tag, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RemoveTag(ctx, conv.CustomerID, "zanzibar order 7731", "alice"); err != nil {
		t.Fatal(err)
	}
	if evs, _ := s.Events(ctx, conv.CustomerID); !strings.Contains(strings.ToLower(eventDetails(evs)), "quokka") {
		t.Fatal("before erase: no event names the tags: the events check below would see nothing")
	}
	if items, _ := s.Outbox(ctx, kindTestEscalation, 10); len(items) != 1 || !strings.Contains(string(items[0].Payload), secret[0]) {
		t.Fatalf("before erase: escalation alerts %+v, want one naming the order code", items)
	}
	if e.h.Dump != nil && !strings.Contains(strings.ToLower(e.h.Dump(t, s)), "quokka") {
		t.Fatal("Dump does not show the data before the erase: the hook sees nothing")
	}
	// Someone else's data must survive, including a knowledge gap they share.
	keep, keepID := appendIn(t, s, "web", "other", "Keep-This-Text-4242", clk.Now())
	if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: keep.ID, InboundID: keepID, Text: "Hmm?",
		Action: bot.ActionClarify}); err != nil {
		t.Fatal(err)
	}

	if err := s.Erase(ctx, conv.CustomerID, "dpo"); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx, conv.CustomerID, "dpo"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("second Erase = %v, want ECONFLICT", err)
	}
	if err := s.Erase(ctx, 999, "dpo"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("Erase(unknown) = %v, want ENOTFOUND", err)
	}
	c, err := s.Customer(ctx, conv.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Erased.IsZero() || c.Name != "" || c.Email != "" || c.Phone != "" || len(c.Identities) != 0 || len(c.Tags) != 0 ||
		c.Inbound != 2 || c.Outbound != 2 {
		t.Errorf("erased customer = %+v; want no personal data, counts kept", c)
	}
	if kinds := eventKinds(t, s, c.ID); kinds[len(kinds)-1] != bot.EventErased {
		t.Errorf("last event = %v, want erased", kinds)
	}
	// The audit trail keeps that tags were added and removed, and by whom,
	// not what they said.
	evs, err := s.Events(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var tagEvents int
	for _, ev := range evs {
		if ev.Kind == bot.EventTagged || ev.Kind == bot.EventUntagged {
			tagEvents++
		}
	}
	if tagEvents != 4 {
		t.Errorf("%d tag events after erase, want the 4 kept (without their text)", tagEvents)
	}
	if d := strings.ToLower(eventDetails(evs)); strings.Contains(d, "quokka") || strings.Contains(d, "zanzibar") {
		t.Errorf("events after erase still name the tags: %s", d)
	}
	if gaps, _ := s.KnowledgeGaps(ctx, 10); len(gaps) != 1 || gaps[0].Question != "keep-this-text-4242" || gaps[0].Count != 1 {
		t.Errorf("knowledge gaps after erase: %+v, want only the other customer's", gaps)
	}
	if notes, _ := s.Notes(ctx, c.ID); len(notes) != 0 {
		t.Errorf("notes after erase: %+v", notes)
	}
	if items, _ := s.Outbox(ctx, "", 100); len(items) != 0 {
		t.Errorf("outbox after erase: %+v", items)
	}
	escs, _ := s.Escalations(ctx, bot.EscalationFilter{CustomerID: c.ID})
	if len(escs) != 1 || escs[0].Summary != "" {
		t.Errorf("escalations after erase: %+v, want one without its summary", escs)
	}
	msgs, _ := s.Messages(ctx, conv.ID)
	for _, m := range msgs {
		if m.Text != "" {
			t.Errorf("message %d kept its text %q", m.ID, m.Text)
		}
	}
	if hist, _ := s.VisitorHistory(ctx, "web", secret[4], 0, 100); len(hist) != 0 {
		t.Errorf("visitor history after erase: %d messages", len(hist))
	}
	var buf bytes.Buffer
	if _, err := s.Export(ctx, &buf, bot.ExportOptions{Format: bot.ExportJSON}); err != nil {
		t.Fatal(err)
	}
	var dump string
	if e.h.Dump != nil {
		dump = e.h.Dump(t, s)
		if !strings.Contains(dump, "Keep-This-Text-4242") {
			t.Errorf("another customer's message %d was lost", keep.ID)
		}
	}
	for _, where := range []struct{ name, text string }{{"export", buf.String()}, {"tables", dump}} {
		for _, sec := range append(secret, "Zanzibar", "quokka") {
			needle := strings.ToLower(sec[:min(len(sec), 40)])
			if i := strings.Index(strings.ToLower(where.text), needle); i >= 0 {
				t.Errorf("%s still hold %q at %d", where.name, needle, i)
			}
		}
	}
}

func testEraseErrors(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	a, _ := appendIn(t, s, "web", "a", "hi", e.clk.Now())
	b, _ := appendIn(t, s, "web", "b", "hi", e.clk.Now())
	if err := s.Merge(ctx, b.CustomerID, a.CustomerID, "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx, b.CustomerID, "dpo"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("Erase of a merged-away customer = %v, want ECONFLICT", err)
	}
	if err := s.Erase(ctx, a.CustomerID, "dpo"); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"AddTag":   s.AddTag(ctx, a.CustomerID, "x", "x"),
		"SetStage": s.SetStage(ctx, a.CustomerID, bot.StageNew, "x"),
		"SetOwner": s.SetOwner(ctx, a.CustomerID, "x", "x"),
		"Merge":    s.Merge(ctx, a.CustomerID, b.CustomerID, "x"),
		"AddNote":  func() error { _, err := s.AddNote(ctx, a.CustomerID, 0, "x", "x"); return err }(),
		"UpdateCon": func() error {
			_, err := s.UpdateContact(ctx, a.CustomerID, bot.ContactUpdate{Name: "x"}, "x")
			return err
		}(),
	} {
		if bot.ErrorCode(err) != bot.ECONFLICT {
			t.Errorf("%s on an erased customer = %v, want ECONFLICT", name, err)
		}
	}
	// The erased customer's identity is gone: the same visitor writing again
	// is a new customer.
	again, _ := appendIn(t, s, "web", "a", "hello again", e.clk.Now())
	if again.CustomerID == a.CustomerID {
		t.Errorf("a message after erase went to the erased customer %d", a.CustomerID)
	}
}

func testExportFormats(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	hostile := "=HYPERLINK(\"http://evil.example\",\"click\")\n\"quoted\", comma"
	conv, _ := appendIn(t, s, "web", "u", hostile, e.clk.Now())
	if _, err := s.UpdateContact(ctx, conv.CustomerID, bot.ContactUpdate{Name: "@SUM(1+1)", Phone: "+1 555 123 4567"}, "x"); err != nil {
		t.Fatal(err)
	}
	appendIn(t, s, "slack", "U1", "plain", e.clk.Now().Add(time.Second))

	var buf bytes.Buffer
	n, err := s.Export(ctx, &buf, bot.ExportOptions{Format: bot.ExportCSV})
	if err != nil || n != 2 {
		t.Fatalf("Export csv = %d, %v; want 2 rows", n, err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("export is not valid CSV: %v", err)
	}
	if len(recs) != 3 || recs[0][0] != "message_id" {
		t.Fatalf("CSV has %d records, want a header and 2 rows", len(recs))
	}
	row := recs[1]
	if row[10] != "'"+hostile || row[3] != "'@SUM(1+1)" || row[5] != "'+15551234567" || row[6] != "web" || row[8] != "in" {
		t.Errorf("CSV row = %q", row)
	}
	if row[1] != e.clk.Now().Format(time.RFC3339Nano) {
		t.Errorf("CSV time %q, want %q", row[1], e.clk.Now().Format(time.RFC3339Nano))
	}

	buf.Reset()
	if _, err := s.Export(ctx, &buf, bot.ExportOptions{Format: bot.ExportJSON, CustomerID: conv.CustomerID}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("JSON export of one customer has %d lines, want 1", len(lines))
	}
	var r bot.ExportRow
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		t.Fatal(err)
	}
	if r.Text != hostile || r.CustomerName != "@SUM(1+1)" || r.Channel != "web" || r.Direction != "in" || r.Author != "customer" {
		t.Errorf("JSON row = %+v; JSON keeps text as it is", r)
	}
	if _, err := s.Export(ctx, &buf, bot.ExportOptions{Format: "xml"}); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("Export(xml) = %v, want EINVALID", err)
	}
}

func testExportEmptyAndOneCustomer(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	var buf bytes.Buffer
	n, err := s.Export(ctx, &buf, bot.ExportOptions{})
	if err != nil || n != 0 {
		t.Fatalf("Export of an empty store = %d, %v", n, err)
	}
	if recs, err := csv.NewReader(&buf).ReadAll(); err != nil || len(recs) != 1 || len(recs[0]) != 17 {
		t.Errorf("empty CSV export = %q, %v; want the header alone", recs, err)
	}
	conv, in1 := appendIn(t, s, "api", "u", "question", e.clk.Now())
	if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in1, Text: "answer",
		Action: bot.ActionAnswer, Annotation: bot.Annotation{Intent: "hours", Confidence: 0.5, Language: "en", Sentiment: 0.25},
		Intent: "hours", Confidence: 0.75, Language: "en", Time: e.clk.Now().Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	appendIn(t, s, "api", "someone-else", "not mine", e.clk.Now())
	buf.Reset()
	n, err = s.Export(ctx, &buf, bot.ExportOptions{Format: bot.ExportJSON, CustomerID: conv.CustomerID})
	if err != nil || n != 2 {
		t.Fatalf("Export of one customer = %d, %v; want 2", n, err)
	}
	dec := json.NewDecoder(&buf)
	var rows []bot.ExportRow
	for dec.More() {
		var r bot.ExportRow
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	want := []bot.ExportRow{
		{MessageID: in1, Time: e.clk.Now().Format(time.RFC3339Nano), CustomerID: conv.CustomerID, Channel: "api",
			ConversationID: conv.ID, Direction: "in", Author: "customer", Text: "question", Intent: "hours", Confidence: 0.5,
			Language: "en", Sentiment: 0.25},
		{MessageID: rows[len(rows)-1].MessageID, Time: e.clk.Now().Add(time.Second).Format(time.RFC3339Nano),
			CustomerID: conv.CustomerID, Channel: "api", ConversationID: conv.ID, Direction: "out", Author: "bot",
			Text: "answer", Intent: "hours", Confidence: 0.75, Language: "en", Action: "answer"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("export rows (-want +got):\n%s", diff)
	}
}

func testPurgeTextBefore(t *testing.T, e *env) {
	s := e.open(t, Options{Alerts: testAlerts{}})
	ctx := context.Background()
	now := e.clk.Now()
	old := now.Add(-100 * 24 * time.Hour)
	e.clk.Add(-100 * 24 * time.Hour)
	conv, oldID := appendIn(t, s, "web", "u", "old question", old)
	if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: oldID, Text: "not sure",
		Action: bot.ActionClarify, Time: old}); err != nil {
		t.Fatal(err)
	}
	c2, in2 := appendIn(t, s, "api", "v", "old complaint", old)
	st, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: c2.ID, InboundID: in2, Text: "sorry",
		Action: bot.ActionEscalate, Time: old,
		Escalation: &bot.Escalation{Reason: bot.ReasonComplaint, Severity: "high", Summary: "old summary"}})
	if err != nil {
		t.Fatal(err)
	}
	items, _ := s.DueOutbox(ctx, 10)
	if len(items) != 1 {
		t.Fatalf("due outbox = %+v, want the escalation alert", items)
	}
	if err := s.MarkDelivered(ctx, items[0].ID); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(100 * 24 * time.Hour)
	_, newID := appendIn(t, s, "web", "u", "new question", now)
	n, err := s.PurgeTextBefore(ctx, now.Add(-90*24*time.Hour))
	if err != nil || n != 4 {
		t.Errorf("PurgeTextBefore = %d, %v; want 4 messages", n, err)
	}
	if n, err := s.PurgeTextBefore(ctx, now.Add(-90*24*time.Hour)); err != nil || n != 0 {
		t.Errorf("PurgeTextBefore again = %d, %v; want 0", n, err)
	}
	msgs, _ := s.Messages(ctx, conv.ID)
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Text)
	}
	if diff := cmp.Diff([]string{"", "", "new question"}, texts); diff != "" || msgs[2].ID != newID {
		t.Errorf("texts after retention (-want +got):\n%s", diff)
	}
	if gaps, _ := s.KnowledgeGaps(ctx, 10); len(gaps) != 0 {
		t.Errorf("old knowledge gaps kept: %+v", gaps)
	}
	if esc, _ := s.Escalation(ctx, st.EscalationID); esc.Summary != "" {
		t.Errorf("old escalation summary kept: %q", esc.Summary)
	}
	if items, _ := s.Outbox(ctx, "", 10); len(items) != 1 || string(items[0].Payload) != "{}" {
		t.Errorf("old delivered outbox item = %+v, want its payload emptied", items)
	}
	c, _ := s.Customer(ctx, conv.CustomerID)
	if c.Inbound != 2 {
		t.Errorf("inbound count after retention = %d, want 2 (counts are kept)", c.Inbound)
	}
	// Redacted messages are left out of the visitor's history.
	hist, _ := s.VisitorHistory(ctx, "web", "u", 0, 10)
	if len(hist) != 1 || hist[0].ID != newID {
		t.Errorf("visitor history after retention = %+v, want only the new message", hist)
	}
}

// exchange stores a customer message and a bot reply with a source, as the
// Engine would, at the clock's time, and returns the conversation id.
func exchange(t *testing.T, s storage.Store, clk *Clock, channel, user, text, reply string) bot.ConversationID {
	t.Helper()
	ctx := context.Background()
	clk.Add(time.Second)
	conv, in, err := s.AppendInbound(ctx, bot.Inbound{Channel: channel, ExternalUserID: user, Text: text, Time: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Second)
	if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: reply, Time: clk.Now(),
		Action: bot.ActionAnswer, Language: "en", Sources: []bot.Source{{ID: "faq-1", Title: "FAQ one", URL: "/kb/faq-1"}}}); err != nil {
		t.Fatal(err)
	}
	return conv.ID
}

type brief struct {
	Author, Text string
	Sources      int
}

func briefs(msgs []bot.StoredMessage) []brief {
	out := []brief{}
	for _, m := range msgs {
		out = append(out, brief{m.Author, m.Text, len(m.Sources)})
	}
	return out
}

func testVisitorHistory(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	convA := exchange(t, s, clk, "web", "visitor-a", "a1", "reply a1")
	exchange(t, s, clk, "web", "visitor-b", "b1", "reply b1")
	exchange(t, s, clk, "api", "visitor-a", "same id, other channel", "reply api")
	clk.Add(time.Second)
	if _, err := s.AppendAgentMessage(ctx, convA, "Mei", "agent to a"); err != nil {
		t.Fatal(err)
	}
	// A resolved conversation stays in the history; the next message opens
	// a new conversation whose messages follow it.
	if err := s.Resolve(ctx, convA, "Mei"); err != nil {
		t.Fatal(err)
	}
	convA2 := exchange(t, s, clk, "web", "visitor-a", "a2", "reply a2")
	if convA2 == convA {
		t.Fatalf("a resolved conversation was reused")
	}

	all, err := s.VisitorHistory(ctx, "web", "visitor-a", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{{"customer", "a1", 0}, {"bot", "reply a1", 1}, {"agent", "agent to a", 0},
		{"customer", "a2", 0}, {"bot", "reply a2", 1}}
	if diff := cmp.Diff(want, briefs(all)); diff != "" {
		t.Fatalf("history of visitor-a (-want +got):\n%s", diff)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Errorf("not in id order: %d after %d", all[i].ID, all[i-1].ID)
		}
	}
	tests := []struct {
		name     string
		channel  string
		user     string
		after    int64
		limit    int
		wantText []string
	}{
		{"page 1", "web", "visitor-a", 0, 2, []string{"a1", "reply a1"}},
		{"page 2", "web", "visitor-a", all[1].ID, 2, []string{"agent to a", "a2"}},
		{"after last", "web", "visitor-a", all[4].ID, 10, nil},
		{"latest 2", "web", "visitor-a", -1, 2, []string{"a2", "reply a2"}},
		{"latest all", "web", "visitor-a", -1, 50, []string{"a1", "reply a1", "agent to a", "a2", "reply a2"}},
		{"other visitor", "web", "visitor-b", 0, 100, []string{"b1", "reply b1"}},
		{"other channel", "api", "visitor-a", -1, 100, []string{"same id, other channel", "reply api"}},
		{"unknown visitor", "web", "visitor-z", 0, 100, nil},
		{"zero limit", "web", "visitor-a", 0, 0, nil},
		{"empty id", "web", "", 0, 10, nil},
		{"limit capped", "web", "visitor-a", 0, 5000, []string{"a1", "reply a1", "agent to a", "a2", "reply a2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.VisitorHistory(ctx, tt.channel, tt.user, tt.after, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, m := range got {
				texts = append(texts, m.Text)
			}
			if diff := cmp.Diff(tt.wantText, texts); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
