package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/bot"
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
SELECT 'zall', '', '', count(*)::bigint, coalesce(sum(is_new), 0)::bigint, coalesce(sum(ret), 0)::bigint,
	coalesce(sum(won), 0)::bigint, 0, 0, 0, 0, 0
FROM cu
) r ORDER BY 1, 2, 3, 4`

// InsightData reads what an insights report over q is computed from, as
// storage/sqlite's does: from indexed columns and the rollups kept by
// triggers, in one snapshot. A reversed range is EINVALID.
func (db *DB) InsightData(ctx context.Context, q bot.InsightQuery) (bot.InsightData, error) {
	var d bot.InsightData
	if !q.To.After(q.From) {
		return d, bot.Errorf(bot.EINVALID, "The report range is empty or reversed.")
	}
	if q.Gaps <= 0 {
		q.Gaps = 10
	}
	from, to := us(q.From), us(q.To)
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
	seen := map[string]bool{}
	err := db.read(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, conversationsSQL, from, to, q.Channel, us(q.IdleBefore))
		if err != nil {
			return fmt.Errorf("conversations: %w", describe(err))
		}
		var all *bot.InsightCustomers
		for rows.Next() {
			var kind, dd, ch string
			var v [9]int64
			if err := rows.Scan(&kind, &dd, &ch, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]); err != nil {
				rows.Close()
				return fmt.Errorf("conversations: %w", describe(err))
			}
			switch kind {
			case "day":
				p := day(dd, ch)
				p.Conversations, p.Messages, p.Closed, p.BotResolved, p.Escalated, p.Purchase, p.Returning, p.CSATSum,
					p.CSATCount = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]
			case "customers":
				d.Customers = append(d.Customers, bot.InsightCustomers{Channel: ch, Customers: v[0], New: v[1], Returning: v[2], Won: v[3]})
			case "zall":
				all = &bot.InsightCustomers{Customers: v[0], New: v[1], Returning: v[2], Won: v[3]}
			case "fr":
				d.FirstResponse = append(d.FirstResponse, bot.InsightDuration{Channel: ch, Millis: v[0], Count: v[1]})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("conversations: %w", describe(err))
		}
		if all != nil {
			d.Customers = append(d.Customers, *all)
		}

		// Annotated inbound messages, from the daily rollup (its shards summed).
		fromDay, toDay := q.From.UTC().Format(time.DateOnly), q.To.UTC().Format(time.DateOnly)
		if err := scanAll(ctx, tx, `SELECT day, channel, sum(messages)::bigint,
				coalesce(sum(messages) FILTER (WHERE intent = 'oos'), 0)::bigint, sum(complaints)::bigint, sum(negative)::bigint
			FROM insight_days WHERE day >= $1 AND day < $2 AND ($3 = '' OR channel = $3) GROUP BY day, channel ORDER BY day, channel`,
			[]any{fromDay, toDay, q.Channel}, func(rows pgx.Rows) error {
				var dd, ch string
				var n, oos, c, neg int64
				if err := rows.Scan(&dd, &ch, &n, &oos, &c, &neg); err != nil {
					return err
				}
				p := day(dd, ch)
				p.Inbound, p.OutOfScope, p.Complaints, p.Negative = n, oos, c, neg
				return nil
			}); err != nil {
			return fmt.Errorf("messages: %w", err)
		}
		if err := scanAll(ctx, tx, `SELECT channel, intent, sum(messages)::bigint FROM insight_days
			WHERE day >= $1 AND day < $2 AND ($3 = '' OR channel = $3) GROUP BY channel, intent HAVING sum(messages) > 0
			ORDER BY channel, intent`,
			[]any{fromDay, toDay, q.Channel}, func(rows pgx.Rows) error {
				var c bot.InsightCount
				if err := rows.Scan(&c.Channel, &c.Key, &c.Count); err != nil {
					return err
				}
				d.Intents = append(d.Intents, c)
				return nil
			}); err != nil {
			return fmt.Errorf("intents: %w", err)
		}

		// Votes.
		if err := scanAll(ctx, tx, `SELECT concierge_day(time), channel, sum(helpful::int)::bigint, sum(1 - helpful::int)::bigint
			FROM answer_feedback WHERE time >= $1 AND time < $2 AND ($3 = '' OR channel = $3) GROUP BY 1, 2 ORDER BY 1, 2`,
			[]any{from, to, q.Channel}, func(rows pgx.Rows) error {
				var dd, ch string
				var h, nh int64
				if err := rows.Scan(&dd, &ch, &h, &nh); err != nil {
					return err
				}
				p := day(dd, ch)
				p.Helpful, p.NotHelpful = h, nh
				return nil
			}); err != nil {
			return fmt.Errorf("feedback: %w", err)
		}

		// Escalations: reasons, and the time a person took to step in.
		if err := scanAll(ctx, tx, `SELECT v.channel, e.reason, count(*)::bigint,
				(count(*) FILTER (WHERE e.acknowledged IS NULL AND e.reason <> 'lead'))::bigint
			FROM escalations e JOIN conversations v ON v.id = e.conversation_id
			WHERE e.created >= $1 AND e.created < $2 AND ($3 = '' OR v.channel = $3) GROUP BY 1, 2 ORDER BY 1, 2`,
			[]any{from, to, q.Channel}, func(rows pgx.Rows) error {
				var c bot.InsightCount
				var unack int64
				if err := rows.Scan(&c.Channel, &c.Key, &c.Count, &unack); err != nil {
					return err
				}
				d.Reasons = append(d.Reasons, c)
				d.Unacknowledged += unack
				return nil
			}); err != nil {
			return fmt.Errorf("escalations: %w", err)
		}
		if err := scanAll(ctx, tx, `SELECT v.channel, greatest(`+ms("e.acknowledged")+` - `+ms("e.created")+`, 0) AS ms, count(*)::bigint
			FROM escalations e JOIN conversations v ON v.id = e.conversation_id
			WHERE e.created >= $1 AND e.created < $2 AND ($3 = '' OR v.channel = $3) AND e.reason <> 'lead'
				AND e.acknowledged IS NOT NULL
			GROUP BY 1, 2 ORDER BY 1, 2`,
			[]any{from, to, q.Channel}, func(rows pgx.Rows) error {
				var h bot.InsightDuration
				if err := rows.Scan(&h.Channel, &h.Millis, &h.Count); err != nil {
					return err
				}
				d.TimeToHuman = append(d.TimeToHuman, h)
				return nil
			}); err != nil {
			return fmt.Errorf("time to human: %w", err)
		}

		// Knowledge gaps asked in the range.
		if err := scanAll(ctx, tx, `SELECT g.question, count(*)::bigint AS n
			FROM knowledge_gap_messages k
			JOIN knowledge_gaps g ON g.id = k.gap_id
			JOIN messages m ON m.id = k.message_id
			WHERE m.time >= $1 AND m.time < $2
				AND ($3 = '' OR (SELECT channel FROM conversations WHERE id = m.conversation_id) = $3)
			GROUP BY g.id, g.question ORDER BY n DESC, max(m.time) DESC, g.question LIMIT $4`,
			[]any{from, to, q.Channel, q.Gaps}, func(rows pgx.Rows) error {
				var c bot.InsightCount
				if err := rows.Scan(&c.Key, &c.Count); err != nil {
					return err
				}
				d.Gaps = append(d.Gaps, c)
				return nil
			}); err != nil {
			return fmt.Errorf("knowledge gaps: %w", err)
		}

		// Channels ever seen, and the start of the data.
		if err := scanAll(ctx, tx, `SELECT DISTINCT channel FROM insight_days`, nil, func(rows pgx.Rows) error {
			var ch string
			if err := rows.Scan(&ch); err != nil {
				return err
			}
			seen[ch] = true
			return nil
		}); err != nil {
			return fmt.Errorf("channels: %w", err)
		}
		var first *time.Time
		if err := tx.QueryRow(ctx, `SELECT min(time) FROM messages`).Scan(&first); err != nil {
			return fmt.Errorf("first message: %w", describe(err))
		}
		d.EarliestMessage = orZero(first)
		return nil
	})
	if err != nil {
		return bot.InsightData{}, fmt.Errorf("storage: insights: %w", err)
	}
	for _, p := range days {
		seen[p.Channel] = true
	}
	for ch := range seen {
		d.Channels = append(d.Channels, ch)
	}
	sort.Strings(d.Channels)
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
func scanAll(ctx context.Context, tx pgx.Tx, query string, args []any, fn func(pgx.Rows) error) error {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return describe(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return describe(err)
		}
	}
	return describe(rows.Err())
}

// KnowledgeGaps returns the most frequent knowledge gaps, most asked first,
// at most limit (20 when limit ≤ 0).
func (db *DB) KnowledgeGaps(ctx context.Context, limit int) ([]bot.KnowledgeGap, error) {
	if limit <= 0 {
		limit = 20
	}
	rows, err := db.pool.Query(ctx, `SELECT g.id, g.question, g.language, g.count, g.first_seen, g.last_seen,
			coalesce(p.doc_id, ''), coalesce(p.count, 0)
		FROM knowledge_gaps g
		LEFT JOIN knowledge_gap_picks p ON p.gap_id = g.id AND p.doc_id = (SELECT doc_id FROM knowledge_gap_picks
			WHERE gap_id = g.id ORDER BY count DESC, last DESC, doc_id LIMIT 1)
		ORDER BY g.count DESC, g.last_seen DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: knowledge gaps: %w", describe(err))
	}
	defer rows.Close()
	var out []bot.KnowledgeGap
	for rows.Next() {
		var g bot.KnowledgeGap
		if err := rows.Scan(&g.ID, &g.Question, &g.Language, &g.Count, &g.FirstSeen, &g.LastSeen, &g.Picked, &g.Picks); err != nil {
			return nil, fmt.Errorf("storage: knowledge gaps: %w", describe(err))
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: knowledge gaps: %w", describe(err))
	}
	return out, nil
}

// RecordFeedback stores a helpful / not helpful vote on one of the bot's
// messages: one vote per voter and message, a later vote replacing the
// earlier one; the voter id is kept only as a hash. A message that is not a
// bot message is ENOTFOUND; an empty voter is EINVALID.
func (db *DB) RecordFeedback(ctx context.Context, messageID int64, helpful bool, voter string) error {
	voter = strings.TrimSpace(voter)
	if voter == "" {
		return bot.Errorf(bot.EINVALID, "A vote needs the voter's id.")
	}
	sum := sha256.Sum256([]byte(voter))
	voterKey := hex.EncodeToString(sum[:8])
	err := db.write(ctx, func(tx pgx.Tx) error {
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
		vote := 0
		if helpful {
			vote = 1
		}
		dh, dn := vote, 1-vote
		if old != nil { // a changed vote moves from one count to the other
			dh, dn = 2*vote-1, 1-2*vote
		}
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
