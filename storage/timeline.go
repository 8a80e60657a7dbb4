package storage

import (
	"fmt"
	"slices"

	"github.com/concierge-bot/concierge/bot"
)

// TimelineWindow says how an engine reads each of a customer's lists
// (messages, events, notes) for Timeline: all of it oldest first (order
// "ASC", no limit) or, when opts.Limit is set, the newest opts.Limit newest
// first (order "DESC", limit " LIMIT n"), to append to its ORDER BY.
func TimelineWindow(opts bot.TimelineOptions) (order, limit string) {
	if opts.Limit > 0 {
		return "DESC", fmt.Sprintf(" LIMIT %d", opts.Limit)
	}
	return "ASC", ""
}

// Timeline merges a customer's messages, events and notes, each read in the
// order TimelineWindow gave for opts, into one list in time order, each entry
// with the channel of its conversation (channels maps the customer's
// conversations to theirs); with opts.Limit set, only the newest opts.Limit
// entries. At equal times messages come before events before notes, and each
// list keeps its order. It reorders the slices it is given.
func Timeline(opts bot.TimelineOptions, channels map[bot.ConversationID]string, msgs []bot.StoredMessage,
	events []bot.Event, notes []bot.Note) []bot.TimelineEntry {
	if order, _ := TimelineWindow(opts); order == "DESC" {
		slices.Reverse(msgs)
		slices.Reverse(events)
		slices.Reverse(notes)
	}
	entries := make([]bot.TimelineEntry, 0, len(msgs)+len(events)+len(notes))
	for i := range msgs {
		m := &msgs[i]
		entries = append(entries, bot.TimelineEntry{Time: m.Time, Channel: channels[m.ConversationID], Message: m})
	}
	for i := range events {
		e := &events[i]
		entries = append(entries, bot.TimelineEntry{Time: e.Time, Channel: channels[e.ConversationID], Event: e})
	}
	for i := range notes {
		n := &notes[i]
		entries = append(entries, bot.TimelineEntry{Time: n.Created, Channel: channels[n.ConversationID], Note: n})
	}
	slices.SortStableFunc(entries, func(a, b bot.TimelineEntry) int { return a.Time.Compare(b.Time) })
	if opts.Limit > 0 && len(entries) > opts.Limit {
		entries = entries[len(entries)-opts.Limit:]
	}
	return entries
}
