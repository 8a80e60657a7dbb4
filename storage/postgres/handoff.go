package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// The kinds of customer events the handoff functions below record, as
// storage defines them for every engine.
const (
	EventRatingRequested = storage.EventRatingRequested
	EventRealerted       = storage.EventRealerted
)

// Messages returns every message of a conversation in the order they were
// stored, or an ENOTFOUND *bot.Error if the conversation does not exist.
func (db *DB) Messages(ctx context.Context, conversationID bot.ConversationID) ([]bot.StoredMessage, error) {
	var msgs []bot.StoredMessage
	err := db.read(ctx, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM conversations WHERE id = $1`, conversationID).Scan(&one)
		if noRows(err) {
			return notFound("Conversation %d does not exist.", conversationID)
		} else if err != nil {
			return describe(err)
		}
		rows, err := tx.Query(ctx, `SELECT `+messageCols+` FROM messages m WHERE m.conversation_id = $1 ORDER BY m.id`, conversationID)
		msgs, err = collect(rows, err, storage.ScanMessage)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: messages of conversation %d: %w", conversationID, err)
	}
	return msgs, nil
}

// AcknowledgeEscalation records that a person saw an open escalation.
// Acknowledging an acknowledged or resolved escalation does nothing.
func (db *DB) AcknowledgeEscalation(ctx context.Context, id bot.EscalationID, who string) error {
	err := db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE escalations SET status = 'acknowledged', assignee = $1, acknowledged = $2
			WHERE id = $3 AND status = 'open'`, who, us(db.now()), id)
		if err != nil {
			return describe(err)
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var one int
		err = tx.QueryRow(ctx, `SELECT 1 FROM escalations WHERE id = $1`, id).Scan(&one)
		if noRows(err) {
			return notFound("Escalation %d does not exist.", id)
		}
		return describe(err)
	})
	if err != nil {
		return fmt.Errorf("storage: acknowledge escalation: %w", err)
	}
	return nil
}

// OverdueEscalations returns the open escalations created at or before t,
// oldest first, with their re-alert level; at most limit (≤ 0 means 100).
// Lead escalations are not included.
func (db *DB) OverdueEscalations(ctx context.Context, t time.Time, limit int) ([]bot.OverdueEscalation, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.pool.Query(ctx, `SELECT x.id, x.conversation_id, x.customer_id,
			coalesce(x.message_id, 0), x.reason, x.severity, x.summary, x.status, x.assignee, x.created, x.acknowledged,
			x.resolved, v.channel,
			coalesce((SELECT max((ev.detail::jsonb ->> 'level')::int) FROM customer_events ev
				WHERE ev.customer_id = x.customer_id AND ev.kind = $1
				AND (ev.detail::jsonb ->> 'escalation_id') = x.id::text), 0)
		FROM escalations x JOIN conversations v ON v.id = x.conversation_id
		WHERE x.status = 'open' AND x.reason <> $2 AND x.created <= $3 ORDER BY x.created, x.id LIMIT $4`,
		EventRealerted, bot.ReasonLead, us(t), limit)
	out, err := collect(rows, err, storage.ScanOverdue)
	if err != nil {
		return nil, fmt.Errorf("storage: overdue escalations: %w", err)
	}
	return out, nil
}

const complaintWhere = `inbound AND is_complaint AND time >= $1 AND time < $2
	AND customer_id IN (SELECT id FROM customers WHERE role = 'customer')`

// CountComplaints counts the customers' inbound messages in [from, to) that
// the Engine judged complaints.
func (db *DB) CountComplaints(ctx context.Context, from, to time.Time) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE `+complaintWhere, us(from), us(to)).Scan(&n); err != nil {
		return 0, fmt.Errorf("storage: count complaints: %w", describe(err))
	}
	return n, nil
}

// Complaints returns up to limit (≤ 0 means 500) of the messages
// CountComplaints counts, newest first, with their conversation's channel.
func (db *DB) Complaints(ctx context.Context, from, to time.Time, limit int) ([]bot.ComplaintMessage, error) {
	if limit <= 0 {
		limit = 500
	}
	rows, err := db.pool.Query(ctx, `SELECT m.id, v.channel, m.intent, m.text, m.time
		FROM (SELECT * FROM messages WHERE `+complaintWhere+` ORDER BY id DESC LIMIT $3) m
		JOIN conversations v ON v.id = m.conversation_id ORDER BY m.id DESC`, us(from), us(to), limit)
	out, err := collect(rows, err, storage.ScanComplaint)
	if err != nil {
		return nil, fmt.Errorf("storage: complaints: %w", err)
	}
	return out, nil
}
