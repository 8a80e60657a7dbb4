package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
)

// CustomerState is what the write paths of every engine need of a customer
// row.
type CustomerState struct {
	ID       int64
	Segment  string // the segment stored, which UpdateSegment compares with the rules' verdict
	Language string
	Owner    string // the sales owner
	SegmentInput
}

// Tx is an engine's write transaction as the engine-neutral edits
// (CustomerEdits, ConversationEdits) use it. Its methods run statements,
// with parameters named by the edits' Param; they decide nothing. Their
// errors are the engine's own, described; the edits say what failed.
type Tx interface {
	// Exec runs a statement and returns the number of rows it changed.
	Exec(query string, args ...any) (int64, error)
	// Insert runs an INSERT statement that makes one row with an id
	// column and returns that id.
	Insert(query string, args ...any) (int64, error)
	// ScanRow runs a query and scans its first row into dest; found is
	// false when it has none.
	ScanRow(query string, args []any, dest ...any) (found bool, err error)
	// AddEvent records a customer event; conversationID 0 is none. detail
	// must never hold customer text.
	AddEvent(customerID int64, conversationID bot.ConversationID, kind string, detail any, actor string, t time.Time) error
}

// Execer runs a statement in an engine's write transaction and returns the
// number of rows it changed (Tx.Exec).
type Execer interface {
	Exec(query string, args ...any) (int64, error)
}

// AddEvent records a customer event through tx, in d's dialect;
// conversationID 0 is none. detail, stored as JSON ("{}" when nil), must
// never hold customer text.
func AddEvent(tx Execer, d Dialect, customerID int64, conversationID bot.ConversationID, kind string, detail any, actor string, t time.Time) error {
	js := "{}"
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("event %s: %w", kind, err)
		}
		js = string(b)
	}
	var conv *bot.ConversationID
	if conversationID != 0 {
		conv = &conversationID
	}
	p := d.Param
	if _, err := tx.Exec(`INSERT INTO customer_events (customer_id, conversation_id, kind, detail, actor, time)
		VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`, `+p(5)+`, `+p(6)+`)`, customerID, conv, kind, js, actor, d.At(t)); err != nil {
		return fmt.Errorf("event %s: %w", kind, err)
	}
	return nil
}

// CustomerTx is an engine's write transaction as CustomerEdits uses it.
type CustomerTx interface {
	Tx
	// Live loads a customer that may be changed, locking its row where the
	// engine locks rows: one that does not exist is ENOTFOUND, one merged
	// into another or erased ECONFLICT.
	Live(id int64) (CustomerState, error)
	// LiveAfter loads for change, as Live does, up to size customers that
	// were neither merged nor erased, with ids above after, by id.
	LiveAfter(after int64, size int) ([]CustomerState, error)
	// Merge makes customer from part of customer into at t (see
	// CustomerEdits.Merge), recording reason, if any, with the merge; it
	// checks that both are live.
	Merge(from, into int64, actor, reason string, t time.Time) error
}

// Dialect is how an engine's SQL names parameters, takes and stores times
// and refuses text, for the statements engine-neutral code builds.
type Dialect struct {
	Param Placeholder               // how the engine's SQL names parameters
	At    func(time.Time) any       // a time as the engine's statements take it
	Round func(time.Time) time.Time // a time as the engine compares it with the ones it stores
	// Refuse returns an EINVALID error with msg when the engine cannot
	// store one of texts; nil means it stores any text.
	Refuse func(msg string, texts ...string) error
}

// refuse is d.Refuse, or nil when d has none.
func (d Dialect) refuse(msg string, texts ...string) error {
	if d.Refuse == nil {
		return nil
	}
	return d.Refuse(msg, texts...)
}

// CustomerEdits changes customer records (contact data, stage, owner, tags,
// merges, segments) the same way in every engine, each change with its
// events, in one write transaction of the engine.
type CustomerEdits struct {
	write func(ctx context.Context, fn func(tx CustomerTx) error) error
	now   func() time.Time
	d     Dialect
	rules SegmentRules
}

// NewCustomerEdits returns the customer edits of an engine: write runs fn in
// one write transaction, committed when fn returns nil (its error is fn's,
// or says what failed); now is the time of a change; rules are the segment
// rules, with their defaults.
func NewCustomerEdits(write func(ctx context.Context, fn func(tx CustomerTx) error) error, now func() time.Time,
	d Dialect, rules SegmentRules) CustomerEdits {
	return CustomerEdits{write: write, now: now, d: d, rules: rules}
}

// UpdateSegment recomputes the segment of c, whose fields reflect the latest
// change, and stores it with an event at t when it changed.
func (e CustomerEdits) UpdateSegment(tx Tx, c CustomerState, t time.Time) error {
	seg := e.rules.Segment(c.SegmentInput, e.now())
	if seg == c.Segment {
		return nil
	}
	if _, err := tx.Exec(`UPDATE customers SET segment = `+e.d.Param(1)+` WHERE id = `+e.d.Param(2), seg, c.ID); err != nil {
		return fmt.Errorf("update segment of customer %d: %w", c.ID, err)
	}
	return tx.AddEvent(c.ID, 0, bot.EventSegmentChanged, map[string]string{"from": c.Segment, "to": seg}, "", t)
}

// UpdateContact changes a customer's contact data and records the change as
// an event. When the new email or phone is already another customer's, the
// two records are the same person: the newer one is merged into the older
// one. UpdateContact returns the id of the customer that holds the data
// afterwards.
func (e CustomerEdits) UpdateContact(ctx context.Context, id int64, u bot.ContactUpdate, actor string) (int64, error) {
	u, err := NormalizeContact(u)
	if err != nil {
		return 0, err
	}
	survivor := id
	err = e.write(ctx, func(tx CustomerTx) error {
		survivor = id
		if _, err := tx.Live(id); err != nil {
			return err
		}
		now := e.now()
		q, args, changed := ContactUpdateQuery(id, u, e.d.At(now), e.d.Param)
		if q == "" {
			return nil
		}
		if _, err := tx.Exec(q, args...); err != nil {
			return fmt.Errorf("update contact: %w", err)
		}
		// The event names the fields, never their values.
		if err := tx.AddEvent(id, 0, bot.EventContactChanged, map[string][]string{"fields": changed}, actor, now); err != nil {
			return err
		}
		if u.Email == "" && u.Phone == "" {
			return nil
		}
		var other int64
		p := e.d.Param
		found, err := tx.ScanRow(`SELECT id FROM customers WHERE id <> `+p(1)+` AND merged_into IS NULL AND erased IS NULL
			AND ((`+p(2)+` <> '' AND email = `+p(2)+`) OR (`+p(3)+` <> '' AND phone = `+p(3)+`)) ORDER BY id LIMIT 1`,
			[]any{id, u.Email, u.Phone}, &other)
		if err != nil {
			return fmt.Errorf("find customer with the same contact: %w", err)
		} else if !found {
			return nil
		}
		from, into := id, other
		if other > id {
			from, into = other, id
		}
		survivor = into
		return tx.Merge(from, into, actor, "same email or phone", now)
	})
	if err != nil {
		return 0, fmt.Errorf("storage: update contact of customer %d: %w", id, err)
	}
	return survivor, nil
}

// Merge makes two customer records one: everything of customer from (channel
// identities, conversations with their messages, escalations, events, tags,
// notes, counts) moves to customer into, empty contact fields of into are
// filled from from, and from remains as an empty record pointing at into.
// The merge is recorded as an event on both. Merging a customer into itself
// is EINVALID; an unknown id is ENOTFOUND; a customer already merged or
// erased is ECONFLICT.
func (e CustomerEdits) Merge(ctx context.Context, from, into int64, actor string) error {
	if from == into {
		return bot.Errorf(bot.EINVALID, "A customer cannot be merged into itself.")
	}
	err := e.write(ctx, func(tx CustomerTx) error {
		return tx.Merge(from, into, actor, "", e.now())
	})
	if err != nil {
		return fmt.Errorf("storage: merge customer %d into %d: %w", from, into, err)
	}
	return nil
}

// SetStage moves a customer along the sales pipeline (see bot.Stages;
// bot.StageNone takes it out) and records the move as an event.
func (e CustomerEdits) SetStage(ctx context.Context, id int64, stage, actor string) error {
	if err := CheckStage(stage); err != nil {
		return err
	}
	return e.setField(ctx, id, customerField{col: "stage", get: func(c *CustomerState) *string { return &c.Stage },
		event: StageEvent, resegment: true}, stage, actor)
}

// SetOwner gives a customer a sales owner (empty removes it) and records the
// change as an event.
func (e CustomerEdits) SetOwner(ctx context.Context, id int64, owner, actor string) error {
	owner = strings.TrimSpace(owner)
	if !utf8.ValidString(owner) || len(owner) > 200 {
		return bot.Errorf(bot.EINVALID, "An owner must be at most 200 bytes of text.")
	}
	return e.setField(ctx, id, customerField{col: "owner", get: func(c *CustomerState) *string { return &c.Owner },
		event: OwnerEvent}, owner, actor)
}

// customerField is a text column of customers whose every change is
// recorded as an event (with "from" and "to").
type customerField struct {
	col       string                         // the column, also the word for it in errors
	get       func(c *CustomerState) *string // the field in a customer's state
	event     func(from string) string       // the kind of event of a change from from
	resegment bool                           // whether a change may change the customer's segment
}

// setField stores value in field f of the live customer id, records the
// change as an event by actor and recomputes the segment if f asks, all in
// one transaction; a customer that has the value already is left as it is.
func (e CustomerEdits) setField(ctx context.Context, id int64, f customerField, value, actor string) error {
	err := e.write(ctx, func(tx CustomerTx) error {
		c, err := tx.Live(id)
		if err != nil {
			return err
		}
		p := f.get(&c)
		if *p == value {
			return nil
		}
		now := e.now()
		if _, err := tx.Exec(`UPDATE customers SET `+f.col+` = `+e.d.Param(1)+`, updated = `+e.d.Param(2)+` WHERE id = `+e.d.Param(3),
			value, e.d.At(now), id); err != nil {
			return fmt.Errorf("set %s: %w", f.col, err)
		}
		if err := tx.AddEvent(id, 0, f.event(*p), map[string]string{"from": *p, "to": value}, actor, now); err != nil {
			return err
		}
		*p = value
		if !f.resegment {
			return nil
		}
		return e.UpdateSegment(tx, c, now)
	})
	if err != nil {
		return fmt.Errorf("storage: set %s of customer %d: %w", f.col, id, err)
	}
	return nil
}

// AddTag tags a customer. The VIP tag of the segment rules makes it VIP.
// Adding a tag twice does nothing.
func (e CustomerEdits) AddTag(ctx context.Context, id int64, tag, actor string) error {
	return e.tag(ctx, id, tag, actor, true)
}

// RemoveTag removes a tag from a customer; removing a missing tag does
// nothing.
func (e CustomerEdits) RemoveTag(ctx context.Context, id int64, tag, actor string) error {
	return e.tag(ctx, id, tag, actor, false)
}

func (e CustomerEdits) tag(ctx context.Context, id int64, tag, actor string, add bool) error {
	tag, err := NormalizeTag(tag)
	if err != nil {
		return err
	}
	p := e.d.Param
	err = e.write(ctx, func(tx CustomerTx) error {
		c, err := tx.Live(id)
		if err != nil {
			return err
		}
		now := e.now()
		kind := bot.EventTagged
		q, args := `INSERT INTO tags (customer_id, tag, created) VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`) ON CONFLICT DO NOTHING`,
			[]any{id, tag, e.d.At(now)}
		if !add {
			kind = bot.EventUntagged
			q, args = `DELETE FROM tags WHERE customer_id = `+p(1)+` AND tag = `+p(2), []any{id, tag}
		}
		n, err := tx.Exec(q, args...)
		if err != nil {
			return fmt.Errorf("tag: %w", err)
		}
		if n == 0 {
			return nil
		}
		if err := tx.AddEvent(id, 0, kind, map[string]string{"tag": tag}, actor, now); err != nil {
			return err
		}
		if tag != e.rules.VIPTag {
			return nil
		}
		c.VIPTag = add
		if _, err := tx.Exec(`UPDATE customers SET vip = `+p(1)+` WHERE id = `+p(2), add, id); err != nil {
			return fmt.Errorf("tag: %w", err)
		}
		return e.UpdateSegment(tx, c, now)
	})
	if err != nil {
		return fmt.Errorf("storage: tag customer %d: %w", id, err)
	}
	return nil
}

// RecomputeSegments recomputes the segment of every live customer at the
// current time (segments such as new and active expire with time, without
// any event) and returns how many changed. Run it periodically, e.g. hourly.
func (e CustomerEdits) RecomputeSegments(ctx context.Context) (int, error) {
	// In pages, so that no transaction is held for long.
	changed, err := InPages(500, func(after int64, size int) (int, int64, error) {
		return e.recomputePage(ctx, after, size)
	})
	if err != nil {
		return changed, fmt.Errorf("storage: recompute segments: %w", err)
	}
	return changed, nil
}

func (e CustomerEdits) recomputePage(ctx context.Context, after int64, size int) (changed int, last int64, err error) {
	err = e.write(ctx, func(tx CustomerTx) error {
		changed, last = 0, 0
		cs, err := tx.LiveAfter(after, size)
		if err != nil {
			return err
		}
		now := e.now()
		for _, c := range cs {
			if e.rules.Segment(c.SegmentInput, now) != c.Segment {
				changed++
				if err := e.UpdateSegment(tx, c, now); err != nil {
					return err
				}
			}
			last = c.ID
		}
		return nil
	})
	return changed, last, err
}
