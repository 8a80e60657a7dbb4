package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// ms is a timestamptz column as integer milliseconds since the epoch,
// exactly (microseconds truncated), as storage/sqlite computes it.
func ms(col string) string { return "floor(extract(epoch FROM " + col + ") * 1000)::bigint" }

// conversationsSQL computes, in one pass over the conversations of the
// range, the day, customer and first-response rows; it is storage/sqlite's
// query in PostgreSQL's words. Parameters: $1 from, $2 to, $3 channel, $4
// idle cutoff.
var conversationsSQL = `WITH won AS MATERIALIZED (
	SELECT DISTINCT customer_id FROM customer_events
	WHERE kind IN ('stage_changed', 'new_lead') AND time >= $1 AND time < $2 AND detail::jsonb ->> 'to' = 'won'
), x AS MATERIALIZED (
	SELECT v.customer_id, v.channel, concierge_day(v.opened) AS day, v.message_count, v.csat,
		(v.status = 'resolved' OR (v.status = 'bot' AND coalesce(v.last_message, v.opened) <= $4)) AS closed,
		coalesce(s.handoffs, 0) > 0 AS escalated,
		coalesce(s.purchase, 0) > 0 AS purchase,
		CASE WHEN (v.status = 'resolved' OR (v.status = 'bot' AND coalesce(v.last_message, v.opened) <= $4))
			AND coalesce(s.handoffs, 0) = 0 AND coalesce(v.csat, 5) > 2
			AND coalesce(s.complaints, 0) + coalesce(s.negative, 0) + coalesce(s.not_helpful, 0) = 0
		THEN NOT EXISTS (SELECT 1 FROM conversations n WHERE n.customer_id = v.customer_id AND n.id > v.id
			AND n.opened <= coalesce(v.closed, v.last_message, v.opened) + interval '1 day')
		ELSE false END AS bot_resolved,
		EXISTS (SELECT 1 FROM conversations p WHERE p.customer_id = v.customer_id AND p.id < v.id
			AND p.opened >= v.opened - interval '30 days') AS is_returning,
		CASE WHEN v.first_response IS NOT NULL THEN ` + ms("v.first_response") + ` - ` + ms("v.opened") + ` END AS fr
	FROM conversations v LEFT JOIN insight_conversations s ON s.conversation_id = v.id
	WHERE v.opened >= $1 AND v.opened < $2 AND ($3 = '' OR v.channel = $3)
), c AS MATERIALIZED (
	SELECT customer_id, channel, max(is_returning::int) AS ret FROM x GROUP BY customer_id, channel
), cu AS MATERIALIZED (
	SELECT customer_id, max(ret) AS ret,
		(SELECT (created >= $1 AND created < $2)::int FROM customers WHERE id = c.customer_id) AS is_new,
		(customer_id IN (SELECT customer_id FROM won))::int AS won
	FROM c GROUP BY customer_id
)
SELECT * FROM (
SELECT 'day' AS kind, day, channel, count(*)::bigint AS a, sum(message_count)::bigint, sum(closed::int)::bigint,
	sum(bot_resolved::int)::bigint, sum(escalated::int)::bigint, sum(purchase::int)::bigint, sum(is_returning::int)::bigint,
	coalesce(sum(csat), 0)::bigint, count(csat)::bigint
FROM x GROUP BY day, channel
UNION ALL
SELECT 'customers', '', c.channel, count(*)::bigint, sum(cu.is_new)::bigint, sum(c.ret)::bigint, sum(cu.won)::bigint,
	0, 0, 0, 0, 0
FROM c JOIN cu USING (customer_id)
GROUP BY c.channel
UNION ALL
SELECT 'fr', '', channel, greatest(fr, 0), count(*)::bigint, 0, 0, 0, 0, 0, 0, 0
FROM x WHERE fr IS NOT NULL GROUP BY channel, greatest(fr, 0)
UNION ALL
SELECT 'all', '', '', count(*)::bigint, coalesce(sum(is_new), 0)::bigint, coalesce(sum(ret), 0)::bigint,
	coalesce(sum(won), 0)::bigint, 0, 0, 0, 0, 0
FROM cu
) r ORDER BY 1, 2, 3, 4`

// InsightData reads what an insights report over q is computed from, as
// storage/sqlite's does: from indexed columns and the rollups kept by
// triggers, in one snapshot. A reversed range is EINVALID.
func (db *DB) InsightData(ctx context.Context, q bot.InsightQuery) (bot.InsightData, error) {
	q, err := storage.CheckInsightQuery(q)
	if err != nil {
		return bot.InsightData{}, err
	}
	from, to := us(q.From), us(q.To)
	fromDay, toDay := q.From.UTC().Format(time.DateOnly), q.To.UTC().Format(time.DateOnly)
	r := storage.NewInsightRows()
	var first time.Time
	err = db.read(ctx, func(tx pgx.Tx) error {
		for _, s := range []struct {
			what  string
			query string
			args  []any
			scan  func(storage.RowScanner) error
		}{
			{"conversations", conversationsSQL, []any{from, to, q.Channel, us(q.IdleBefore)}, r.ScanConversations},
			// Annotated inbound messages, from the daily rollup (its shards summed).
			{"messages", `SELECT day, channel, sum(messages)::bigint,
				coalesce(sum(messages) FILTER (WHERE intent = 'oos'), 0)::bigint, sum(complaints)::bigint, sum(negative)::bigint
			FROM insight_days WHERE day >= $1 AND day < $2 AND ($3 = '' OR channel = $3) GROUP BY day, channel ORDER BY day, channel`,
				[]any{fromDay, toDay, q.Channel}, r.ScanMessages},
			{"intents", `SELECT channel, intent, sum(messages)::bigint FROM insight_days
			WHERE day >= $1 AND day < $2 AND ($3 = '' OR channel = $3) GROUP BY channel, intent HAVING sum(messages) > 0
			ORDER BY channel, intent`,
				[]any{fromDay, toDay, q.Channel}, r.ScanIntent},
			{"feedback", `SELECT concierge_day(time), channel, sum(helpful::int)::bigint, sum(1 - helpful::int)::bigint
			FROM answer_feedback WHERE time >= $1 AND time < $2 AND ($3 = '' OR channel = $3) GROUP BY 1, 2 ORDER BY 1, 2`,
				[]any{from, to, q.Channel}, r.ScanVotes},
			// Escalations: reasons, and the time a person took to step in.
			{"escalations", `SELECT v.channel, e.reason, count(*)::bigint,
				(count(*) FILTER (WHERE e.acknowledged IS NULL AND e.reason <> 'lead'))::bigint
			FROM escalations e JOIN conversations v ON v.id = e.conversation_id
			WHERE e.created >= $1 AND e.created < $2 AND ($3 = '' OR v.channel = $3) GROUP BY 1, 2 ORDER BY 1, 2`,
				[]any{from, to, q.Channel}, r.ScanReason},
			{"time to human", `SELECT v.channel, greatest(` + ms("e.acknowledged") + ` - ` + ms("e.created") + `, 0) AS ms, count(*)::bigint
			FROM escalations e JOIN conversations v ON v.id = e.conversation_id
			WHERE e.created >= $1 AND e.created < $2 AND ($3 = '' OR v.channel = $3) AND e.reason <> 'lead'
				AND e.acknowledged IS NOT NULL
			GROUP BY 1, 2 ORDER BY 1, 2`,
				[]any{from, to, q.Channel}, r.ScanTimeToHuman},
			// Knowledge gaps asked in the range.
			{"knowledge gaps", `SELECT g.question, count(*)::bigint AS n
			FROM knowledge_gap_messages k
			JOIN knowledge_gaps g ON g.id = k.gap_id
			JOIN messages m ON m.id = k.message_id
			WHERE m.time >= $1 AND m.time < $2
				AND ($3 = '' OR (SELECT channel FROM conversations WHERE id = m.conversation_id) = $3)
			GROUP BY g.id, g.question ORDER BY n DESC, max(m.time) DESC, g.question LIMIT $4`,
				[]any{from, to, q.Channel, q.Gaps}, r.ScanGap},
			// Channels ever seen.
			{"channels", `SELECT DISTINCT channel FROM insight_days`, nil, r.ScanChannel},
		} {
			if err := scanAll(ctx, tx, s.query, s.args, s.scan); err != nil {
				return fmt.Errorf("%s: %w", s.what, err)
			}
		}
		if err := tx.QueryRow(ctx, `SELECT min(time) FROM messages`).Scan(storage.Time(&first)); err != nil {
			return fmt.Errorf("first message: %w", describe(err))
		}
		return nil
	})
	if err != nil {
		return bot.InsightData{}, fmt.Errorf("storage: insights: %w", err)
	}
	return r.Data(first), nil
}

// RecordFeedback stores a helpful / not helpful vote on one of the bot's
// messages: one vote per voter and message, a later vote replacing the
// earlier one; the voter id is kept only as a hash. A message that is not a
// bot message is ENOTFOUND; an empty voter is EINVALID.
func (db *DB) RecordFeedback(ctx context.Context, messageID int64, helpful bool, voter string) error {
	voterKey, err := storage.VoterKey(voter)
	if err != nil {
		return err
	}
	err = db.write(ctx, func(tx pgx.Tx) error {
		var convID int64
		var channel string
		err := tx.QueryRow(ctx, `SELECT m.conversation_id, v.channel FROM messages m JOIN conversations v ON v.id = m.conversation_id
			WHERE m.id = $1 AND m.author = 'bot'`, messageID).Scan(&convID, &channel)
		if noRows(err) {
			return notFound("Message %d is not an answer of the bot.", messageID)
		} else if err != nil {
			return fmt.Errorf("load message %d: %w", messageID, describe(err))
		}
		var old *bool
		err = tx.QueryRow(ctx, `SELECT helpful FROM answer_feedback WHERE message_id = $1 AND voter = $2 FOR UPDATE`,
			messageID, voterKey).Scan(&old)
		if err != nil && !noRows(err) {
			return fmt.Errorf("load vote: %w", describe(err))
		}
		if old != nil && *old == helpful {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO answer_feedback (message_id, voter, conversation_id, channel, helpful, time)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id, voter) DO UPDATE SET helpful = EXCLUDED.helpful, time = EXCLUDED.time`,
			messageID, voterKey, convID, channel, helpful, us(db.now())); err != nil {
			return fmt.Errorf("store vote: %w", describe(err))
		}
		dh, dn := storage.VoteCounts(helpful, old != nil)
		if _, err := tx.Exec(ctx, `INSERT INTO insight_conversations AS s (conversation_id, helpful, not_helpful) VALUES ($1, $2, $3)
			ON CONFLICT (conversation_id) DO UPDATE SET helpful = s.helpful + EXCLUDED.helpful,
				not_helpful = s.not_helpful + EXCLUDED.not_helpful`, convID, dh, dn); err != nil {
			return fmt.Errorf("count vote: %w", describe(err))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: record feedback on message %d: %w", messageID, err)
	}
	return nil
}
