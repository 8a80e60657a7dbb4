package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// liveCustomer loads a customer that may be changed: it exists, was not
// merged into another and was not erased.
func liveCustomer(tx *sql.Tx, id int64) (custState, error) {
	var merged int64
	var erased sql.NullString
	c, err := scanCustState(tx.QueryRow(`SELECT `+custStateCols+`, coalesce(c.merged_into, 0), c.erased
		FROM customers c WHERE c.id = ?`, id), &merged, &erased)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return c, notFound("Customer %d does not exist.", id)
	case err != nil:
		return c, fmt.Errorf("load customer %d: %w", id, describe(err))
	case merged != 0:
		return c, bot.Errorf(bot.ECONFLICT, "Customer %d was merged into customer %d.", id, merged)
	case erased.Valid:
		return c, bot.Errorf(bot.ECONFLICT, "Customer %d was erased.", id)
	}
	return c, nil
}

// UpdateContact changes a customer's contact data and records the change as
// an event. When the new email or phone is already another customer's, the
// two records are the same person: the newer one is merged into the older
// one. UpdateContact returns the id of the customer that holds the data
// afterwards.
func (db *DB) UpdateContact(ctx context.Context, id int64, u bot.ContactUpdate, actor string) (int64, error) {
	u, err := storage.NormalizeContact(u)
	if err != nil {
		return 0, err
	}
	survivor := id
	err = db.write(ctx, func(tx *sql.Tx) error {
		survivor = id
		if _, err := liveCustomer(tx, id); err != nil {
			return err
		}
		now := db.now()
		q, args, changed := storage.ContactUpdateQuery(id, u, fmtTime(now), param)
		if q == "" {
			return nil
		}
		if _, err := tx.Exec(q, args...); err != nil {
			return fmt.Errorf("update contact: %w", describe(err))
		}
		// The event names the fields, never their values.
		if err := addEvent(tx, id, 0, bot.EventContactChanged, map[string][]string{"fields": changed}, actor, now); err != nil {
			return err
		}
		if u.Email == "" && u.Phone == "" {
			return nil
		}
		var other int64
		err = tx.QueryRow(`SELECT id FROM customers WHERE id <> ? AND merged_into IS NULL AND erased IS NULL
			AND ((? <> '' AND email = ?) OR (? <> '' AND phone = ?)) ORDER BY id LIMIT 1`,
			id, u.Email, u.Email, u.Phone, u.Phone).Scan(&other)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("find customer with the same contact: %w", describe(err))
		}
		from, into := id, other
		if other > id {
			from, into = other, id
		}
		survivor = into
		return db.merge(tx, from, into, actor, "same email or phone", now)
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
func (db *DB) Merge(ctx context.Context, from, into int64, actor string) error {
	if from == into {
		return bot.Errorf(bot.EINVALID, "A customer cannot be merged into itself.")
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		return db.merge(tx, from, into, actor, "", db.now())
	})
	if err != nil {
		return fmt.Errorf("storage: merge customer %d into %d: %w", from, into, err)
	}
	return nil
}

func (db *DB) merge(tx *sql.Tx, from, into int64, actor, reason string, now time.Time) error {
	a, err := liveCustomer(tx, from)
	if err != nil {
		return err
	}
	b, err := liveCustomer(tx, into)
	if err != nil {
		return err
	}
	ts := fmtTime(now)
	// The survivor keeps at most one open conversation per channel: from's
	// open conversations on channels where into has one are resolved.
	rows, err := tx.Query(`SELECT f.id FROM conversations f JOIN conversations t
		ON t.customer_id = ? AND t.channel = f.channel AND t.status <> 'resolved'
		WHERE f.customer_id = ? AND f.status <> 'resolved'`, into, from)
	clash, err := collect(rows, err, scanValue[bot.ConversationID])
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	for _, id := range clash {
		if err := closeConversation(tx, from, id, map[string]string{"why": "merged"}, actor, now); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	}
	for _, q := range []string{
		`UPDATE channel_identities SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE conversations SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE messages SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE escalations SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE outbox SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE customer_events SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE notes SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE knowledge_gap_messages SET customer_id = ?1 WHERE customer_id = ?2`,
		`INSERT OR IGNORE INTO tags (customer_id, tag, created) SELECT ?1, tag, created FROM tags WHERE customer_id = ?2`,
		`DELETE FROM tags WHERE customer_id = ?2`,
		`UPDATE customers SET merged_into = ?1 WHERE merged_into = ?2`,
		`UPDATE customers AS t SET
			name = CASE WHEN t.name = '' THEN f.name ELSE t.name END,
			email = CASE WHEN t.email = '' THEN f.email ELSE t.email END,
			phone = CASE WHEN t.phone = '' THEN f.phone ELSE t.phone END,
			language = CASE WHEN t.language = '' THEN f.language ELSE t.language END,
			owner = CASE WHEN t.owner = '' THEN f.owner ELSE t.owner END,
			vip = max(t.vip, f.vip),
			inbound_count = t.inbound_count + f.inbound_count,
			outbound_count = t.outbound_count + f.outbound_count,
			complaint_count = t.complaint_count + f.complaint_count,
			at_risk_until = max(coalesce(t.at_risk_until, ''), coalesce(f.at_risk_until, '')),
			last_seen = max(coalesce(t.last_seen, ''), coalesce(f.last_seen, '')),
			created = min(t.created, f.created),
			updated = ?3
		FROM customers AS f WHERE t.id = ?1 AND f.id = ?2`,
		`UPDATE customers SET at_risk_until = NULL WHERE id = ?1 AND at_risk_until = ''`,
		`UPDATE customers SET last_seen = NULL WHERE id = ?1 AND last_seen = ''`,
		`UPDATE customers SET merged_into = ?1, name = '', email = '', phone = '', owner = '', vip = 0, updated = ?3
			WHERE id = ?2`,
	} {
		if _, err := tx.Exec(q, into, from, ts); err != nil {
			return fmt.Errorf("merge: %w", describe(err))
		}
	}
	stage := b.Stage
	if storage.StageRank(a.Stage) > storage.StageRank(b.Stage) {
		stage = a.Stage
		if _, err := tx.Exec(`UPDATE customers SET stage = ? WHERE id = ?`, stage, into); err != nil {
			return fmt.Errorf("merge: %w", describe(err))
		}
	}
	detail := map[string]any{"from": from}
	if reason != "" {
		detail["reason"] = reason
	}
	if err := addEvent(tx, into, 0, bot.EventMerged, detail, actor, now); err != nil {
		return err
	}
	if err := addEvent(tx, from, 0, bot.EventMergedInto, map[string]any{"into": into}, actor, now); err != nil {
		return err
	}
	merged, err := loadCustState(tx, into)
	if err != nil {
		return err
	}
	return db.updateSegment(tx, merged, now)
}

// SetStage moves a customer along the sales pipeline (see Stages; StageNone
// takes it out) and records the move as an event.
func (db *DB) SetStage(ctx context.Context, id int64, stage, actor string) error {
	if err := storage.CheckStage(stage); err != nil {
		return err
	}
	return db.setField(ctx, id, customerField{col: "stage", get: func(c *custState) *string { return &c.Stage },
		event: storage.StageEvent, then: db.updateSegment}, stage, actor)
}

// SetOwner gives a customer a sales owner (empty removes it) and records the
// change as an event.
func (db *DB) SetOwner(ctx context.Context, id int64, owner, actor string) error {
	owner = strings.TrimSpace(owner)
	if !utf8.ValidString(owner) || len(owner) > 200 {
		return bot.Errorf(bot.EINVALID, "An owner must be at most 200 bytes of text.")
	}
	return db.setField(ctx, id, customerField{col: "owner", get: func(c *custState) *string { return &c.owner },
		event: storage.OwnerEvent}, owner, actor)
}

// customerField is a text column of customers whose every change is
// recorded as an event (with "from" and "to").
type customerField struct {
	col   string                                             // the column, also the word for it in errors
	get   func(c *custState) *string                         // the field in a customer's state
	event func(from string) string                           // the kind of event of a change from from
	then  func(tx *sql.Tx, c custState, now time.Time) error // what follows a change, if not nil
}

// setField stores value in field f of the live customer id, records the
// change as an event by actor and runs f.then on the changed customer, all
// in one transaction; a customer that has the value already is left as it
// is.
func (db *DB) setField(ctx context.Context, id int64, f customerField, value, actor string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		c, err := liveCustomer(tx, id)
		if err != nil {
			return err
		}
		p := f.get(&c)
		if *p == value {
			return nil
		}
		now := db.now()
		if _, err := tx.Exec(`UPDATE customers SET `+f.col+` = ?, updated = ? WHERE id = ?`, value, fmtTime(now), id); err != nil {
			return fmt.Errorf("set %s: %w", f.col, describe(err))
		}
		if err := addEvent(tx, id, 0, f.event(*p), map[string]string{"from": *p, "to": value}, actor, now); err != nil {
			return err
		}
		*p = value
		if f.then == nil {
			return nil
		}
		return f.then(tx, c, now)
	})
	if err != nil {
		return fmt.Errorf("storage: set %s of customer %d: %w", f.col, id, err)
	}
	return nil
}

// AddTag tags a customer. The VIP tag of SegmentRules makes it VIP. Adding a
// tag twice does nothing.
func (db *DB) AddTag(ctx context.Context, id int64, tag, actor string) error {
	return db.tag(ctx, id, tag, actor, true)
}

// RemoveTag removes a tag from a customer; removing a missing tag does
// nothing.
func (db *DB) RemoveTag(ctx context.Context, id int64, tag, actor string) error {
	return db.tag(ctx, id, tag, actor, false)
}

func (db *DB) tag(ctx context.Context, id int64, tag, actor string, add bool) error {
	tag, err := storage.NormalizeTag(tag)
	if err != nil {
		return err
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		c, err := liveCustomer(tx, id)
		if err != nil {
			return err
		}
		now := db.now()
		var res sql.Result
		kind := bot.EventTagged
		if add {
			res, err = tx.Exec(`INSERT OR IGNORE INTO tags (customer_id, tag, created) VALUES (?, ?, ?)`, id, tag, fmtTime(now))
		} else {
			kind = bot.EventUntagged
			res, err = tx.Exec(`DELETE FROM tags WHERE customer_id = ? AND tag = ?`, id, tag)
		}
		if err != nil {
			return fmt.Errorf("tag: %w", describe(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := addEvent(tx, id, 0, kind, map[string]string{"tag": tag}, actor, now); err != nil {
			return err
		}
		if tag != db.rules.VIPTag {
			return nil
		}
		c.VIPTag = add
		if _, err := tx.Exec(`UPDATE customers SET vip = ? WHERE id = ?`, add, id); err != nil {
			return fmt.Errorf("tag: %w", describe(err))
		}
		return db.updateSegment(tx, c, now)
	})
	if err != nil {
		return fmt.Errorf("storage: tag customer %d: %w", id, err)
	}
	return nil
}

// AddNote stores an agent's note on a customer, optionally about one of its
// conversations (0 for none), and returns its id.
func (db *DB) AddNote(ctx context.Context, customerID int64, conversationID bot.ConversationID, author, text string) (int64, error) {
	author, err := storage.NormalizeNote(author, text)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.write(ctx, func(tx *sql.Tx) error {
		if _, err := liveCustomer(tx, customerID); err != nil {
			return err
		}
		var conv any
		if conversationID != 0 {
			v, err := loadConversation(tx, conversationID)
			if err != nil {
				return err
			}
			if v.customer != customerID {
				return bot.Errorf(bot.EINVALID, "Conversation %d is not customer %d's.", conversationID, customerID)
			}
			conv = conversationID
		}
		res, err := tx.Exec(`INSERT INTO notes (customer_id, conversation_id, author, text, created) VALUES (?, ?, ?, ?, ?)`,
			customerID, conv, author, text, fmtTime(db.now()))
		if err != nil {
			return fmt.Errorf("add note: %w", describe(err))
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("storage: add note to customer %d: %w", customerID, err)
	}
	return id, nil
}

// Notes returns the notes on a customer, oldest first, or an ENOTFOUND
// *bot.Error for an unknown customer.
func (db *DB) Notes(ctx context.Context, customerID int64) ([]bot.Note, error) {
	return customerList(ctx, db, customerID, "notes",
		`SELECT `+storage.NoteCols+` FROM notes WHERE customer_id = ? ORDER BY created, id`, storage.ScanNote)
}

// Events returns the events of a customer, oldest first, or an ENOTFOUND
// *bot.Error for an unknown customer.
func (db *DB) Events(ctx context.Context, customerID int64) ([]bot.Event, error) {
	return customerList(ctx, db, customerID, "events",
		`SELECT `+storage.EventCols+` FROM customer_events WHERE customer_id = ? ORDER BY time, id`, storage.ScanEvent)
}

// RecomputeSegments recomputes the segment of every live customer at the
// current time (segments such as new and active expire with time, without
// any event) and returns how many changed. Run it periodically, e.g. hourly.
func (db *DB) RecomputeSegments(ctx context.Context) (int, error) {
	// In pages, so the writer is never held for long.
	changed, err := storage.InPages(500, func(after int64, size int) (int, int64, error) {
		return db.recomputePage(ctx, after, size)
	})
	if err != nil {
		return changed, fmt.Errorf("storage: recompute segments: %w", err)
	}
	return changed, nil
}

func (db *DB) recomputePage(ctx context.Context, after int64, size int) (changed int, last int64, err error) {
	err = db.write(ctx, func(tx *sql.Tx) error {
		changed, last = 0, 0
		rows, err := tx.Query(`SELECT `+custStateCols+` FROM customers c
			WHERE c.id > ? AND c.merged_into IS NULL AND c.erased IS NULL ORDER BY c.id LIMIT ?`, after, size)
		cs, err := collect(rows, err, func(sc rowScanner) (custState, error) { return scanCustState(sc) })
		if err != nil {
			return err
		}
		now := db.now()
		for _, c := range cs {
			if db.rules.Segment(c.SegmentInput, now) != c.segment {
				changed++
				if err := db.updateSegment(tx, c, now); err != nil {
					return err
				}
			}
			last = c.id
		}
		return nil
	})
	return changed, last, err
}
