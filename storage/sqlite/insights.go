package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/concierge-bot/concierge/bot"
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
	var d bot.InsightData
	if !q.To.After(q.From) {
		return d, bot.Errorf(bot.EINVALID, "The report range is empty or reversed.")
	}
	bot.SetDefault(&q.Gaps, 10)
	from, to := fmtTime(q.From), fmtTime(q.To)
	// One read transaction, so every figure comes from the same snapshot.
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return d, fmt.Errorf("storage: insights: %w", describe(err))
	}
	defer tx.Rollback()

	days := map[[2]string]*bot.InsightDay{}
	day := func(dd, ch string) *bot.InsightDay {
		k := [2]string{dd, ch}
		if p := days[k]; p != nil {
			return p
		}
		p := &bot.InsightDay{Day: dd, Channel: ch}
		days[k] = p
		return p
	}

	var all *bot.InsightCustomers
	if err := scanAll(ctx, tx, conversationsSQL, []any{nil, from, to, q.Channel, fmtTime(q.IdleBefore)}, func(rows *sql.Rows) error {
		var kind, dd, ch string
		var v [9]int64
		if err := rows.Scan(&kind, &dd, &ch, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]); err != nil {
			return err
		}
		switch kind {
		case "day":
			p := day(dd, ch)
			p.Conversations, p.Messages, p.Closed, p.BotResolved, p.Escalated, p.Purchase, p.Returning, p.CSATSum,
				p.CSATCount = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]
		case "customers":
			d.Customers = append(d.Customers, bot.InsightCustomers{Channel: ch, Customers: v[0], New: v[1], Returning: v[2], Won: v[3]})
		case "all":
			all = &bot.InsightCustomers{Customers: v[0], New: v[1], Returning: v[2], Won: v[3]}
		case "fr":
			d.FirstResponse = append(d.FirstResponse, bot.InsightDuration{Channel: ch, Millis: v[0], Count: v[1]})
		}
		return nil
	}); err != nil {
		return d, fmt.Errorf("storage: insights: conversations: %w", err)
	}
	if all != nil {
		d.Customers = append(d.Customers, *all)
	}

	// Annotated inbound messages, from the daily rollup.
	fromDay, toDay := q.From.UTC().Format(time.DateOnly), q.To.UTC().Format(time.DateOnly)
	if err := scanAll(ctx, tx, `SELECT day, channel, sum(messages), sum(messages) FILTER (WHERE intent = 'oos'),
			sum(complaints), sum(negative)
		FROM insight_days WHERE day >= ?1 AND day < ?2 AND (?3 = '' OR channel = ?3) GROUP BY day, channel`,
		[]any{fromDay, toDay, q.Channel}, func(rows *sql.Rows) error {
			var dd, ch string
			var oos sql.NullInt64
			var n, c, neg int64
			if err := rows.Scan(&dd, &ch, &n, &oos, &c, &neg); err != nil {
				return err
			}
			p := day(dd, ch)
			p.Inbound, p.OutOfScope, p.Complaints, p.Negative = n, oos.Int64, c, neg
			return nil
		}); err != nil {
		return d, fmt.Errorf("storage: insights: messages: %w", err)
	}
	if err := scanAll(ctx, tx, `SELECT channel, intent, sum(messages) FROM insight_days
		WHERE day >= ?1 AND day < ?2 AND (?3 = '' OR channel = ?3) GROUP BY channel, intent HAVING sum(messages) > 0`,
		[]any{fromDay, toDay, q.Channel}, func(rows *sql.Rows) error {
			var c bot.InsightCount
			if err := rows.Scan(&c.Channel, &c.Key, &c.Count); err != nil {
				return err
			}
			d.Intents = append(d.Intents, c)
			return nil
		}); err != nil {
		return d, fmt.Errorf("storage: insights: intents: %w", err)
	}

	// Votes.
	if err := scanAll(ctx, tx, `SELECT substr(time, 1, 10), channel, sum(helpful), sum(1 - helpful) FROM answer_feedback
		WHERE time >= ?1 AND time < ?2 AND (?3 = '' OR channel = ?3) GROUP BY 1, 2`,
		[]any{from, to, q.Channel}, func(rows *sql.Rows) error {
			var dd, ch string
			var h, nh int64
			if err := rows.Scan(&dd, &ch, &h, &nh); err != nil {
				return err
			}
			p := day(dd, ch)
			p.Helpful, p.NotHelpful = h, nh
			return nil
		}); err != nil {
		return d, fmt.Errorf("storage: insights: feedback: %w", err)
	}

	// Escalations: reasons, and the time a person took to step in.
	if err := scanAll(ctx, tx, `SELECT v.channel, e.reason, count(*), count(*) FILTER (WHERE e.acknowledged IS NULL AND e.reason <> 'lead')
		FROM escalations e JOIN conversations v ON v.id = e.conversation_id
		WHERE e.created >= ?1 AND e.created < ?2 AND (?3 = '' OR v.channel = ?3) GROUP BY 1, 2`,
		[]any{from, to, q.Channel}, func(rows *sql.Rows) error {
			var c bot.InsightCount
			var unack int64
			if err := rows.Scan(&c.Channel, &c.Key, &c.Count, &unack); err != nil {
				return err
			}
			d.Reasons = append(d.Reasons, c)
			d.Unacknowledged += unack
			return nil
		}); err != nil {
		return d, fmt.Errorf("storage: insights: escalations: %w", err)
	}
	if err := scanAll(ctx, tx, `SELECT v.channel, max(`+msExpr("e.acknowledged")+` - `+msExpr("e.created")+`, 0) AS ms, count(*)
		FROM escalations e JOIN conversations v ON v.id = e.conversation_id
		WHERE e.created >= ?1 AND e.created < ?2 AND (?3 = '' OR v.channel = ?3) AND e.reason <> 'lead'
			AND e.acknowledged IS NOT NULL
		GROUP BY 1, 2`,
		[]any{from, to, q.Channel}, func(rows *sql.Rows) error {
			var h bot.InsightDuration
			if err := rows.Scan(&h.Channel, &h.Millis, &h.Count); err != nil {
				return err
			}
			d.TimeToHuman = append(d.TimeToHuman, h)
			return nil
		}); err != nil {
		return d, fmt.Errorf("storage: insights: time to human: %w", err)
	}

	// Knowledge gaps asked in the range. The CROSS JOIN keeps the planner
	// from walking every message of the range by time: it reads the (few)
	// gap messages and looks each one's time up by id.
	if err := scanAll(ctx, tx, `SELECT g.question, count(*) AS n
		FROM knowledge_gap_messages k
		JOIN knowledge_gaps g ON g.id = k.gap_id
		CROSS JOIN messages m ON m.id = k.message_id
		WHERE m.time >= ?1 AND m.time < ?2
			AND (?3 = '' OR (SELECT channel FROM conversations WHERE id = m.conversation_id) = ?3)
		GROUP BY k.gap_id ORDER BY n DESC, max(m.time) DESC, g.question LIMIT ?4`,
		[]any{from, to, q.Channel, q.Gaps}, func(rows *sql.Rows) error {
			var c bot.InsightCount
			if err := rows.Scan(&c.Key, &c.Count); err != nil {
				return err
			}
			d.Gaps = append(d.Gaps, c)
			return nil
		}); err != nil {
		return d, fmt.Errorf("storage: insights: knowledge gaps: %w", err)
	}

	// Channels ever seen, and the start of the data.
	seen := map[string]bool{}
	if err := scanAll(ctx, tx, `SELECT DISTINCT channel FROM insight_days`, nil, func(rows *sql.Rows) error {
		var ch string
		if err := rows.Scan(&ch); err != nil {
			return err
		}
		seen[ch] = true
		return nil
	}); err != nil {
		return d, fmt.Errorf("storage: insights: channels: %w", err)
	}
	for _, p := range days {
		seen[p.Channel] = true
	}
	for ch := range seen {
		d.Channels = append(d.Channels, ch)
	}
	sort.Strings(d.Channels)
	var first sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT min(time) FROM messages`).Scan(&first); err != nil {
		return d, fmt.Errorf("storage: insights: first message: %w", describe(err))
	}
	d.EarliestMessage = nullTime(first)

	d.Days = make([]bot.InsightDay, 0, len(days))
	for _, p := range days {
		d.Days = append(d.Days, *p)
	}
	sort.Slice(d.Days, func(i, j int) bool {
		if d.Days[i].Day != d.Days[j].Day {
			return d.Days[i].Day < d.Days[j].Day
		}
		return d.Days[i].Channel < d.Days[j].Channel
	})
	return d, nil
}

// scanAll runs a query in tx and calls fn for each row.
func scanAll(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	return eachRow(rows, err, fn)
}
