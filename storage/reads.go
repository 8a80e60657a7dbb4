package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Reads answers, the same way in every engine, the queries that differ
// between engines only in their Dialect, outside any write transaction.
type Reads struct {
	each     func(ctx context.Context, query string, args []any, fn func(RowScanner) error) error
	snapshot func(ctx context.Context, fn func(q Query) error) error
	d        Dialect
	rules    SegmentRules
}

// NewReads returns the reads of an engine: each runs a read-only query and
// calls fn for each row of its result, stopping at fn's first error, and
// returns that error or the query's, described; snapshot runs fn with the
// queries of one read-only transaction, so that what they read agrees;
// rules are the segment rules, with their defaults.
func NewReads(each func(ctx context.Context, query string, args []any, fn func(RowScanner) error) error,
	snapshot func(ctx context.Context, fn func(q Query) error) error, d Dialect, rules SegmentRules) Reads {
	return Reads{each: each, snapshot: snapshot, d: d, rules: rules}
}

// readAll returns one value made by scan for each row of the query's result
// (nil when there are none).
func readAll[T any](ctx context.Context, r Reads, query string, args []any, scan func(RowScanner) (T, error)) ([]T, error) {
	return readIn(func(query string, args []any, fn func(RowScanner) error) error {
		return r.each(ctx, query, args, fn)
	}, nil, query, args, scan)
}

// readOne scans the one row of the query's result into dest and reports
// whether there was one.
func (r Reads) readOne(ctx context.Context, query string, args []any, dest ...any) (found bool, err error) {
	err = r.each(ctx, query, args, func(sc RowScanner) error {
		found = true
		return sc.Scan(dest...)
	})
	return found, err
}

// lookup reads the row of a thing by id (the query's one parameter) with
// scan. A missing row is an ENOTFOUND *bot.Error with the message missing
// (which formats id); any other error names what (say "conversation") and
// id.
func lookup[T any](ctx context.Context, r Reads, what, missing string, id any, query string, scan func(RowScanner) (T, error)) (T, error) {
	var v T
	found := false
	err := r.each(ctx, query, []any{id}, func(sc RowScanner) error {
		var err error
		v, err = scan(sc)
		found = true
		return err
	})
	switch {
	case err != nil:
		return v, fmt.Errorf("storage: %s %d: %w", what, id, err)
	case !found:
		return v, fmt.Errorf("storage: %s: %w", what, bot.Errorf(bot.ENOTFOUND, missing, id))
	}
	return v, nil
}

// Conversation returns one conversation, or an ENOTFOUND *bot.Error.
func (r Reads) Conversation(ctx context.Context, id bot.ConversationID) (bot.ConversationInfo, error) {
	return lookup(ctx, r, "conversation", "Conversation %d does not exist.", id,
		`SELECT `+ConversationCols+` FROM conversations WHERE id = `+r.d.Param(1), ScanConversation)
}

// Escalation returns one escalation, or an ENOTFOUND *bot.Error.
func (r Reads) Escalation(ctx context.Context, id bot.EscalationID) (bot.EscalationInfo, error) {
	return lookup(ctx, r, "escalation", "Escalation %d does not exist.", id,
		`SELECT `+EscalationCols+` FROM escalations WHERE id = `+r.d.Param(1), ScanEscalation)
}

// Escalations returns escalations matching f, newest first.
func (r Reads) Escalations(ctx context.Context, f bot.EscalationFilter) ([]bot.EscalationInfo, error) {
	bot.SetDefault(&f.Limit, 100)
	p := r.d.Param
	out, err := readAll(ctx, r, `SELECT `+EscalationCols+` FROM escalations
		WHERE (`+p(1)+` = '' OR status = `+p(1)+`) AND (`+p(2)+` = 0 OR customer_id = `+p(2)+`) ORDER BY id DESC LIMIT `+p(3),
		[]any{f.Status, f.CustomerID, f.Limit}, ScanEscalation)
	if err != nil {
		return nil, fmt.Errorf("storage: escalations: %w", err)
	}
	return out, nil
}

// EscalationDeliveries returns the outbox items of an escalation's alerts,
// oldest first, at most 1000: the first alert (key "escalation:<id>"), its
// re-alerts ("escalation:<id>:level:<n>") and, when an alert went to
// several sinks, each sink's delivery ("<key>|<sink>"), with their attempts
// and delivery times. With the escalation's Created and Acknowledged times
// they are its delivery record. The keys hold no LIKE wildcards, so the
// prefixes match literally.
func (r Reads) EscalationDeliveries(ctx context.Context, escalationID bot.EscalationID) ([]bot.OutboxItem, error) {
	key := fmt.Sprintf("escalation:%d", escalationID)
	p := r.d.Param
	out, err := readAll(ctx, r, `SELECT `+OutboxCols+` FROM outbox
		WHERE idempotency_key = `+p(1)+` OR idempotency_key LIKE `+p(2)+` OR idempotency_key LIKE `+p(3)+` ORDER BY id LIMIT 1000`,
		[]any{key, key + "|%", key + ":level:%"}, ScanOutbox)
	if err != nil {
		return nil, fmt.Errorf("storage: deliveries of escalation %d: %w", escalationID, err)
	}
	return out, nil
}

// IsVIP implements bot.CustomerDirectory: whether the customer matches the
// VIP rule of the segment rules (the VIP tag, enough messages, a won lead),
// whatever its current segment (an at-risk VIP is still a VIP). An unknown
// customer is not a VIP.
func (r Reads) IsVIP(ctx context.Context, customerID int64) (bool, error) {
	var vip bool
	var inbound int
	var stage string
	found, err := r.readOne(ctx, `SELECT vip, inbound_count, stage FROM customers WHERE id = `+r.d.Param(1)+` AND merged_into IS NULL`,
		[]any{customerID}, &vip, &inbound, &stage)
	if err != nil {
		return false, fmt.Errorf("storage: is customer %d vip: %w", customerID, err)
	} else if !found {
		return false, nil
	}
	return r.rules.IsVIP(vip, inbound, stage), nil
}

// PendingRating implements bot.Ratings: the customer's latest conversation
// on channel that was resolved at or after since, asked for a rating
// (RequestRating) and not rated; 0 when there is none.
func (r Reads) PendingRating(ctx context.Context, customerID int64, channel string, since time.Time) (bot.ConversationID, error) {
	var id bot.ConversationID
	p := r.d.Param
	_, err := r.readOne(ctx, `SELECT v.id FROM conversations v
		WHERE v.customer_id = `+p(1)+` AND v.channel = `+p(2)+` AND v.status = 'resolved' AND v.csat IS NULL AND v.closed >= `+p(3)+`
		AND EXISTS (SELECT 1 FROM customer_events e WHERE e.customer_id = v.customer_id AND e.conversation_id = v.id
			AND e.kind = `+p(4)+`)
		ORDER BY v.id DESC LIMIT 1`, []any{customerID, channel, r.d.At(since), EventRatingRequested}, &id)
	if err != nil {
		return 0, fmt.Errorf("storage: pending rating of customer %d: %w", customerID, err)
	}
	return id, nil
}

// HandoffQueue returns the conversations that are with a human or waiting
// for one, the longest waiting first; at most limit (≤ 0 means 200).
func (r Reads) HandoffQueue(ctx context.Context, limit int) ([]bot.HandoffEntry, error) {
	bot.SetDefault(&limit, 200)
	out, err := readAll(ctx, r, handoffQueueQuery(r.d.Param), []any{bot.ReasonLead, limit}, ScanHandoff)
	if err != nil {
		return nil, fmt.Errorf("storage: handoff queue: %w", err)
	}
	return out, nil
}

// IdleHandoffs returns the ids of conversations with a human or waiting for
// one whose last message is before t, oldest first; at most limit (≤ 0
// means 100).
func (r Reads) IdleHandoffs(ctx context.Context, t time.Time, limit int) ([]bot.ConversationID, error) {
	bot.SetDefault(&limit, 100)
	ids, err := readAll(ctx, r, `SELECT id FROM conversations
		WHERE status IN ('waiting_human', 'human') AND coalesce(last_message, opened) < `+r.d.Param(1)+` ORDER BY id LIMIT `+r.d.Param(2),
		[]any{r.d.At(t), limit}, func(sc RowScanner) (id bot.ConversationID, err error) { return id, sc.Scan(&id) })
	if err != nil {
		return nil, fmt.Errorf("storage: idle handoffs: %w", err)
	}
	return ids, nil
}

// ComplaintLabels returns the agents' verdicts on customers' messages whose
// text is still kept, newest first, at most limit (default 5000).
func (r Reads) ComplaintLabels(ctx context.Context, limit int) ([]bot.ComplaintLabel, error) {
	bot.SetDefault(&limit, 5000)
	out, err := readAll(ctx, r, complaintLabelsQuery(r.d.Param), []any{limit}, ScanComplaintLabel)
	if err != nil {
		return nil, fmt.Errorf("storage: complaint labels: %w", err)
	}
	return out, nil
}

// ReviewMessages returns the customers' messages since since that the bot
// did not judge complaints and nobody has judged, but that read negative or
// score at least minComplaint, the highest score first, at most limit
// (default 50).
func (r Reads) ReviewMessages(ctx context.Context, since time.Time, minComplaint float64, limit int) ([]bot.ReviewMessage, error) {
	bot.SetDefault(&limit, 50)
	out, err := readAll(ctx, r, reviewQuery(r.d.Param), []any{r.d.At(since), minComplaint, limit}, ScanReview)
	if err != nil {
		return nil, fmt.Errorf("storage: messages to review: %w", err)
	}
	return out, nil
}

// KnowledgeGaps returns the most frequent knowledge gaps, most asked first,
// at most limit (20 when limit ≤ 0), each with the choice picked most.
func (r Reads) KnowledgeGaps(ctx context.Context, limit int) ([]bot.KnowledgeGap, error) {
	bot.SetDefault(&limit, 20)
	out, err := readAll(ctx, r, `SELECT g.id, g.question, g.language, g.count, g.first_seen, g.last_seen,
			coalesce(p.doc_id, ''), coalesce(p.count, 0)
		FROM knowledge_gaps g
		LEFT JOIN knowledge_gap_picks p ON p.gap_id = g.id AND p.doc_id = (SELECT doc_id FROM knowledge_gap_picks
			WHERE gap_id = g.id ORDER BY count DESC, last DESC, doc_id LIMIT 1)
		ORDER BY g.count DESC, g.last_seen DESC LIMIT `+r.d.Param(1), []any{limit},
		func(sc RowScanner) (bot.KnowledgeGap, error) {
			var g bot.KnowledgeGap
			err := sc.Scan(&g.ID, &g.Question, &g.Language, &g.Count, Time(&g.FirstSeen), Time(&g.LastSeen), &g.Picked, &g.Picks)
			return g, err
		})
	if err != nil {
		return nil, fmt.Errorf("storage: knowledge gaps: %w", err)
	}
	return out, nil
}

// Query runs a query in a read transaction and calls fn for each row of its
// result, stopping at fn's first error; errors are described.
type Query func(query string, args []any, fn func(RowScanner) error) error

// readIn returns one value made by scan for each row of the query's result,
// appended to dst, in a read transaction.
func readIn[T any](q Query, dst []T, query string, args []any, scan func(RowScanner) (T, error)) ([]T, error) {
	if err := q(query, args, appender(&dst, scan)); err != nil {
		return nil, err
	}
	return dst, nil
}

// customerExists returns nil when customer id exists (merged and erased
// ones too), else an ENOTFOUND *bot.Error.
func (r Reads) customerExists(q Query, id int64) error {
	found := false
	err := q(`SELECT 1 FROM customers WHERE id = `+r.d.Param(1), []any{id}, func(RowScanner) error {
		found = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("customer %d: %w", id, err)
	} else if !found {
		return bot.Errorf(bot.ENOTFOUND, "Customer %d does not exist.", id)
	}
	return nil
}

// ofCustomer returns the rows of a customer that query selects (its one
// parameter is the customer's id), read with scan, in the snapshot in which
// it checks that the customer exists (else ENOTFOUND). what names the rows
// in errors.
func ofCustomer[T any](ctx context.Context, r Reads, what string, customerID int64, query string,
	scan func(RowScanner) (T, error)) ([]T, error) {
	var out []T
	err := r.snapshot(ctx, func(q Query) error {
		if err := r.customerExists(q, customerID); err != nil {
			return err
		}
		var err error
		out, err = readIn(q, nil, query, []any{customerID}, scan)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: %s of customer %d: %w", what, customerID, err)
	}
	return out, nil
}

// Conversations returns the conversations of a customer, oldest first, or an
// ENOTFOUND *bot.Error if the customer does not exist. A customer merged into
// another has no conversations left: they moved to the survivor.
func (r Reads) Conversations(ctx context.Context, customerID int64) ([]bot.ConversationInfo, error) {
	return ofCustomer(ctx, r, "conversations", customerID,
		`SELECT `+ConversationCols+` FROM conversations WHERE customer_id = `+r.d.Param(1)+` ORDER BY id`, ScanConversation)
}

// Notes returns the notes on a customer, oldest first, or an ENOTFOUND
// *bot.Error for an unknown customer.
func (r Reads) Notes(ctx context.Context, customerID int64) ([]bot.Note, error) {
	return ofCustomer(ctx, r, "notes", customerID,
		`SELECT `+NoteCols+` FROM notes WHERE customer_id = `+r.d.Param(1)+` ORDER BY created, id`, ScanNote)
}

// Events returns the events of a customer, oldest first, or an ENOTFOUND
// *bot.Error for an unknown customer.
func (r Reads) Events(ctx context.Context, customerID int64) ([]bot.Event, error) {
	return ofCustomer(ctx, r, "events", customerID,
		`SELECT `+EventCols+` FROM customer_events WHERE customer_id = `+r.d.Param(1)+` ORDER BY time, id`, ScanEvent)
}

// Customers returns the customers matching f, by id, with their identities
// and tags. Customers merged into another are left out.
func (r Reads) Customers(ctx context.Context, f bot.CustomerFilter) ([]bot.Customer, error) {
	query, args := CustomersQuery(f, r.d.Param)
	var out []bot.Customer
	// One snapshot, so that the customers and their identities agree.
	err := r.snapshot(ctx, func(q Query) error {
		var err error
		if out, err = readIn(q, nil, query, args, ScanCustomer); err != nil {
			return err
		}
		return r.attachDetails(q, out)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: customers: %w", err)
	}
	return out, nil
}

// Customer returns one customer with its identities and tags, or an
// ENOTFOUND *bot.Error if there is none with that id. A customer merged into
// another is returned with MergedInto set.
func (r Reads) Customer(ctx context.Context, id int64) (bot.Customer, error) {
	var cs []bot.Customer
	err := r.snapshot(ctx, func(q Query) error {
		var err error
		cs, err = readIn(q, nil, `SELECT `+CustomerCols+` FROM customers c WHERE c.id = `+r.d.Param(1), []any{id}, ScanCustomer)
		if err != nil {
			return err
		} else if len(cs) == 0 {
			return bot.Errorf(bot.ENOTFOUND, "Customer %d does not exist.", id)
		}
		return r.attachDetails(q, cs)
	})
	if err != nil {
		return bot.Customer{}, fmt.Errorf("storage: customer %d: %w", id, err)
	}
	return cs[0], nil
}

// attachDetails fills in the identities and tags of customers, in chunks of
// ids.
func (r Reads) attachDetails(q Query, cs []bot.Customer) error {
	const chunk = 500
	d := NewCustomerDetails(cs)
	for start := 0; start < len(cs); start += chunk {
		a := NewArgs(r.d.Param)
		var in []string
		for _, c := range cs[start:min(start+chunk, len(cs))] {
			in = append(in, a.Add(c.ID))
		}
		list := "(" + strings.Join(in, ", ") + ")"
		if err := q(`SELECT customer_id, channel, external_id FROM channel_identities WHERE customer_id IN `+list+`
			ORDER BY customer_id, channel, external_id`, a.List(), d.ScanIdentity); err != nil {
			return fmt.Errorf("identities: %w", err)
		}
		if err := q(`SELECT customer_id, tag FROM tags WHERE customer_id IN `+list+` ORDER BY customer_id, tag`,
			a.List(), d.ScanTag); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
	}
	return nil
}

// Timeline returns everything that happened with a customer, on every
// channel, in time order: messages, events and notes, read in one
// snapshot. It is the agent's view of a customer. An unknown customer is
// ENOTFOUND.
func (r Reads) Timeline(ctx context.Context, customerID int64, opts bot.TimelineOptions) ([]bot.TimelineEntry, error) {
	order, limit := TimelineWindow(opts)
	p := r.d.Param
	var msgs []bot.StoredMessage
	var events []bot.Event
	var notes []bot.Note
	channels := map[bot.ConversationID]string{}
	err := r.snapshot(ctx, func(q Query) error {
		if err := r.customerExists(q, customerID); err != nil {
			return err
		}
		total := 0 // messages, to size the slice
		err := q(`SELECT id, channel, message_count FROM conversations WHERE customer_id = `+p(1), []any{customerID},
			func(sc RowScanner) error {
				var id bot.ConversationID
				var ch string
				var n int
				if err := sc.Scan(&id, &ch, &n); err != nil {
					return err
				}
				channels[id] = ch
				total += n
				return nil
			})
		if err != nil {
			return err
		}
		if opts.Limit > 0 {
			total = min(total, opts.Limit)
		}
		args := []any{customerID}
		if msgs, err = readIn(q, make([]bot.StoredMessage, 0, total), `SELECT `+MessageCols+` FROM messages WHERE customer_id = `+p(1)+`
			ORDER BY time `+order+`, id `+order+limit, args, ScanMessage); err != nil {
			return err
		}
		if events, err = readIn(q, nil, `SELECT `+EventCols+` FROM customer_events WHERE customer_id = `+p(1)+`
			ORDER BY time `+order+`, id `+order+limit, args, ScanEvent); err != nil {
			return err
		}
		notes, err = readIn(q, nil, `SELECT `+NoteCols+` FROM notes WHERE customer_id = `+p(1)+`
			ORDER BY created `+order+`, id `+order+limit, args, ScanNote)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: timeline of customer %d: %w", customerID, err)
	}
	return Timeline(opts, channels, msgs, events, notes), nil
}
