package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// The kinds of customer events the handoff functions below record, as
// storage defines them for every engine.
const (
	EventRatingRequested = storage.EventRatingRequested
	EventRealerted       = storage.EventRealerted
)

// OverdueEscalations returns the open escalations created at or before t,
// oldest first, with their re-alert level; at most limit (≤ 0 means 100).
// Lead escalations are not included: they go to sales, not up a chain.
func (db *DB) OverdueEscalations(ctx context.Context, t time.Time, limit int) ([]bot.OverdueEscalation, error) {
	bot.SetDefault(&limit, 100)
	rows, err := db.r.QueryContext(ctx, `SELECT x.id, x.conversation_id, x.customer_id,
			coalesce(x.message_id, 0), x.reason, x.severity, x.summary, x.status, x.assignee, x.created, x.acknowledged,
			x.resolved, v.channel,
			coalesce((SELECT max(cast(json_extract(ev.detail, '$.level') AS INTEGER)) FROM customer_events ev
				WHERE ev.customer_id = x.customer_id AND ev.kind = ? AND json_extract(ev.detail, '$.escalation_id') = x.id), 0)
		FROM escalations x JOIN conversations v ON v.id = x.conversation_id
		WHERE x.status = 'open' AND x.reason <> ? AND x.created <= ? ORDER BY x.created, x.id LIMIT ?`,
		EventRealerted, bot.ReasonLead, fmtTime(t), limit)
	out, err := collect(rows, err, storage.ScanOverdue)
	if err != nil {
		return nil, fmt.Errorf("storage: overdue escalations: %w", err)
	}
	return out, nil
}

const complaintWhere = `inbound = 1 AND is_complaint = 1 AND time >= ? AND time < ?
	AND customer_id IN (SELECT id FROM customers WHERE role = 'customer')`

// CountComplaints counts the customers' (not employees') inbound messages in
// [from, to) that the Engine judged complaints (bot.Annotation.IsComplaint).
func (db *DB) CountComplaints(ctx context.Context, from, to time.Time) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE `+complaintWhere,
		fmtTime(from), fmtTime(to)).Scan(&n); err != nil {
		return 0, fmt.Errorf("storage: count complaints: %w", describe(err))
	}
	return n, nil
}

// Complaints returns up to limit (≤ 0 means 500) of the messages
// CountComplaints counts, newest first, with their conversation's channel.
func (db *DB) Complaints(ctx context.Context, from, to time.Time, limit int) ([]bot.ComplaintMessage, error) {
	bot.SetDefault(&limit, 500)
	rows, err := db.r.QueryContext(ctx, `SELECT m.id, v.channel, m.intent, m.text, m.time
		FROM (SELECT * FROM messages WHERE `+complaintWhere+` ORDER BY id DESC LIMIT ?) m
		JOIN conversations v ON v.id = m.conversation_id ORDER BY m.id DESC`,
		fmtTime(from), fmtTime(to), limit)
	out, err := collect(rows, err, storage.ScanComplaint)
	if err != nil {
		return nil, fmt.Errorf("storage: complaints: %w", err)
	}
	return out, nil
}
