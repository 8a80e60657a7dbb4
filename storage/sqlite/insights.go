package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// msExpr turns a stored time column into integer milliseconds since the
// epoch, exactly (truncating microseconds), without floating point.
func msExpr(col string) string {
	return "(unixepoch(" + col + ") * 1000 + CAST(substr(" + col + ", 21, 3) AS INTEGER))"
}

// plusExpr adds a whole number of days to a stored time column, exactly:
// the date part moves, the time of day stays.
func plusExpr(col, days string) string {
	return "(date(" + col + ", '" + days + "') || substr(" + col + ", 11))"
}

// conversationsSQL computes, in one pass over the conversations of the range,
// the day, customer and first-response rows. A conversation's neighbours (for
// repeats and returning customers) are found through the index on
// (customer_id, opened); the search for a later conversation (bot_resolved)
// runs only for a closed conversation with no other reason not to count.
// Distinct customers are grouped once per channel (c) and once overall (cu),
// so a customer's row is read once, not once per conversation. Parameters:
// ?1 unused, ?2 from, ?3 to, ?4 channel, ?5 idle cutoff.
var conversationsSQL = `WITH won AS MATERIALIZED (
	SELECT DISTINCT customer_id FROM customer_events
	WHERE kind IN ('stage_changed', 'new_lead') AND time >= ?2 AND time < ?3 AND json_extract(detail, '$.to') = 'won'
), x AS MATERIALIZED (
	SELECT v.customer_id, v.channel, substr(v.opened, 1, 10) AS day, v.message_count, v.csat,
		v.status = 'resolved' OR (v.status = 'bot' AND coalesce(v.last_message, v.opened) <= ?5) AS closed,
		coalesce(s.handoffs, 0) > 0 AS escalated,
		coalesce(s.purchase, 0) > 0 AS purchase,
		CASE WHEN (v.status = 'resolved' OR (v.status = 'bot' AND coalesce(v.last_message, v.opened) <= ?5))
			AND coalesce(s.handoffs, 0) = 0 AND coalesce(v.csat, 5) > 2
			AND coalesce(s.complaints, 0) + coalesce(s.negative, 0) + coalesce(s.not_helpful, 0) = 0
		THEN NOT EXISTS (SELECT 1 FROM conversations n WHERE n.customer_id = v.customer_id AND n.id > v.id
			AND n.opened <= ` + plusExpr("coalesce(v.closed, v.last_message, v.opened)", "+1 day") + `)
		ELSE 0 END AS bot_resolved,
		EXISTS (SELECT 1 FROM conversations p WHERE p.customer_id = v.customer_id AND p.id < v.id
			AND p.opened >= ` + plusExpr("v.opened", "-30 days") + `) AS is_returning,
		CASE WHEN v.first_response IS NOT NULL THEN ` + msExpr("v.first_response") + ` - ` + msExpr("v.opened") + ` END AS fr
	FROM conversations v LEFT JOIN insight_conversations s ON s.conversation_id = v.id
	WHERE v.opened >= ?2 AND v.opened < ?3 AND (?4 = '' OR v.channel = ?4)
), c AS MATERIALIZED (
	SELECT customer_id, channel, max(is_returning) AS ret FROM x GROUP BY customer_id, channel
), cu AS MATERIALIZED (
	SELECT customer_id, max(ret) AS ret,
		(SELECT created >= ?2 AND created < ?3 FROM customers WHERE id = c.customer_id) AS is_new,
		customer_id IN won AS won
	FROM c GROUP BY customer_id
)
SELECT 'day', day, channel, count(*), sum(message_count), sum(closed),
	sum(bot_resolved), sum(escalated), sum(purchase), sum(is_returning),
	coalesce(sum(csat), 0), count(csat)
FROM x GROUP BY day, channel
UNION ALL
SELECT 'customers', '', c.channel, count(*), sum(cu.is_new), sum(c.ret), sum(cu.won), 0, 0, 0, 0, 0
FROM c JOIN cu USING (customer_id)
GROUP BY c.channel
UNION ALL
SELECT 'all', '', '', count(*), coalesce(sum(is_new), 0), coalesce(sum(ret), 0), coalesce(sum(won), 0), 0, 0, 0, 0, 0
FROM cu
UNION ALL
SELECT 'fr', '', channel, max(fr, 0), count(*), 0, 0, 0, 0, 0, 0, 0
FROM x WHERE fr IS NOT NULL GROUP BY channel, max(fr, 0)`

// InsightData reads what an insights report over q is computed from. It
// reads indexed columns and the rollups kept by triggers; it never scans the
// rows of messages. A reversed range is EINVALID.
func (db *DB) InsightData(ctx context.Context, q bot.InsightQuery) (bot.InsightData, error) {
	q, err := storage.CheckInsightQuery(q)
	if err != nil {
		return bot.InsightData{}, err
	}
	from, to := fmtTime(q.From), fmtTime(q.To)
	// One read transaction, so every figure comes from the same snapshot.
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return bot.InsightData{}, fmt.Errorf("storage: insights: %w", describe(err))
	}
	defer tx.Rollback()
	r := storage.NewInsightRows()
	fromDay, toDay := q.From.UTC().Format(time.DateOnly), q.To.UTC().Format(time.DateOnly)
	for _, s := range []struct {
		what  string
		query string
		args  []any
		scan  func(storage.RowScanner) error
	}{
		{"conversations", conversationsSQL, []any{nil, from, to, q.Channel, fmtTime(q.IdleBefore)}, r.ScanConversations},
		// Annotated inbound messages, from the daily rollup.
		{"messages", `SELECT day, channel, sum(messages), sum(messages) FILTER (WHERE intent = 'oos'),
			sum(complaints), sum(negative)
		FROM insight_days WHERE day >= ?1 AND day < ?2 AND (?3 = '' OR channel = ?3) GROUP BY day, channel`,
			[]any{fromDay, toDay, q.Channel}, r.ScanMessages},
		{"intents", `SELECT channel, intent, sum(messages) FROM insight_days
		WHERE day >= ?1 AND day < ?2 AND (?3 = '' OR channel = ?3) GROUP BY channel, intent HAVING sum(messages) > 0`,
			[]any{fromDay, toDay, q.Channel}, r.ScanIntent},
		{"feedback", `SELECT substr(time, 1, 10), channel, sum(helpful), sum(1 - helpful) FROM answer_feedback
		WHERE time >= ?1 AND time < ?2 AND (?3 = '' OR channel = ?3) GROUP BY 1, 2`,
			[]any{from, to, q.Channel}, r.ScanVotes},
		// Escalations: reasons, and the time a person took to step in.
		{"escalations", `SELECT v.channel, e.reason, count(*), count(*) FILTER (WHERE e.acknowledged IS NULL AND e.reason <> 'lead')
		FROM escalations e JOIN conversations v ON v.id = e.conversation_id
		WHERE e.created >= ?1 AND e.created < ?2 AND (?3 = '' OR v.channel = ?3) GROUP BY 1, 2`,
			[]any{from, to, q.Channel}, r.ScanReason},
		{"time to human", `SELECT v.channel, max(` + msExpr("e.acknowledged") + ` - ` + msExpr("e.created") + `, 0) AS ms, count(*)
		FROM escalations e JOIN conversations v ON v.id = e.conversation_id
		WHERE e.created >= ?1 AND e.created < ?2 AND (?3 = '' OR v.channel = ?3) AND e.reason <> 'lead'
			AND e.acknowledged IS NOT NULL
		GROUP BY 1, 2`,
			[]any{from, to, q.Channel}, r.ScanTimeToHuman},
		// Knowledge gaps asked in the range. The CROSS JOIN keeps the planner
		// from walking every message of the range by time: it reads the (few)
		// gap messages and looks each one's time up by id.
		{"knowledge gaps", `SELECT g.question, count(*) AS n
		FROM knowledge_gap_messages k
		JOIN knowledge_gaps g ON g.id = k.gap_id
		CROSS JOIN messages m ON m.id = k.message_id
		WHERE m.time >= ?1 AND m.time < ?2
			AND (?3 = '' OR (SELECT channel FROM conversations WHERE id = m.conversation_id) = ?3)
		GROUP BY k.gap_id ORDER BY n DESC, max(m.time) DESC, g.question LIMIT ?4`,
			[]any{from, to, q.Channel, q.Gaps}, r.ScanGap},
		// Channels ever seen.
		{"channels", `SELECT DISTINCT channel FROM insight_days`, nil, r.ScanChannel},
	} {
		rows, err := tx.QueryContext(ctx, s.query, s.args...)
		if err := eachRow(rows, err, func(rows *sql.Rows) error { return s.scan(rows) }); err != nil {
			return bot.InsightData{}, fmt.Errorf("storage: insights: %s: %w", s.what, err)
		}
	}
	var first time.Time
	if err := tx.QueryRowContext(ctx, `SELECT min(time) FROM messages`).Scan(storage.Time(&first)); err != nil {
		return bot.InsightData{}, fmt.Errorf("storage: insights: first message: %w", describe(err))
	}
	return r.Data(first), nil
}
