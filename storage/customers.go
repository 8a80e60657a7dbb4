package storage

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
)

// UpdateSegment recomputes the segment of c, whose fields reflect the latest
// change, and stores it with an event at t when it changed.
func (w Writes) UpdateSegment(tx Tx, c CustomerState, t time.Time) error {
	seg := w.rules.Segment(c.SegmentInput, w.now())
	if seg == c.Segment {
		return nil
	}
	if _, err := tx.Exec(`UPDATE customers SET segment = `+w.d.Param(1)+` WHERE id = `+w.d.Param(2), seg, c.ID); err != nil {
		return fmt.Errorf("update segment of customer %d: %w", c.ID, err)
	}
	return tx.AddEvent(c.ID, 0, bot.EventSegmentChanged, map[string]string{"from": c.Segment, "to": seg}, "", t)
}

// UpdateContact changes a customer's contact data and records the change as
// an event. When the new email or phone is already another customer's, the
// two records are the same person: the newer one is merged into the older
// one. UpdateContact returns the id of the customer that holds the data
// afterwards.
func (w Writes) UpdateContact(ctx context.Context, id int64, u bot.ContactUpdate, actor string) (int64, error) {
	u, err := NormalizeContact(u)
	if err != nil {
		return 0, err
	}
	survivor := id
	err = w.write(ctx, func(tx WriteTx) error {
		survivor = id
		if _, err := tx.Live(id); err != nil {
			return err
		}
		now := w.now()
		q, args, changed := ContactUpdateQuery(id, u, w.d.At(now), w.d.Param)
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
		p := w.d.Param
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
func (w Writes) Merge(ctx context.Context, from, into int64, actor string) error {
	if from == into {
		return bot.Errorf(bot.EINVALID, "A customer cannot be merged into itself.")
	}
	err := w.write(ctx, func(tx WriteTx) error {
		return tx.Merge(from, into, actor, "", w.now())
	})
	if err != nil {
		return fmt.Errorf("storage: merge customer %d into %d: %w", from, into, err)
	}
	return nil
}

// SetStage moves a customer along the sales pipeline (see bot.Stages;
// bot.StageNone takes it out) and records the move as an event.
func (w Writes) SetStage(ctx context.Context, id int64, stage, actor string) error {
	if err := CheckStage(stage); err != nil {
		return err
	}
	return w.setField(ctx, id, customerField{col: "stage", get: func(c *CustomerState) *string { return &c.Stage },
		event: StageEvent, resegment: true}, stage, actor)
}

// SetOwner gives a customer a sales owner (empty removes it) and records the
// change as an event.
func (w Writes) SetOwner(ctx context.Context, id int64, owner, actor string) error {
	owner = strings.TrimSpace(owner)
	if !utf8.ValidString(owner) || len(owner) > 200 {
		return bot.Errorf(bot.EINVALID, "An owner must be at most 200 bytes of text.")
	}
	return w.setField(ctx, id, customerField{col: "owner", get: func(c *CustomerState) *string { return &c.Owner },
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
func (w Writes) setField(ctx context.Context, id int64, f customerField, value, actor string) error {
	err := w.write(ctx, func(tx WriteTx) error {
		c, err := tx.Live(id)
		if err != nil {
			return err
		}
		p := f.get(&c)
		if *p == value {
			return nil
		}
		now := w.now()
		if _, err := tx.Exec(`UPDATE customers SET `+f.col+` = `+w.d.Param(1)+`, updated = `+w.d.Param(2)+` WHERE id = `+w.d.Param(3),
			value, w.d.At(now), id); err != nil {
			return fmt.Errorf("set %s: %w", f.col, err)
		}
		if err := tx.AddEvent(id, 0, f.event(*p), map[string]string{"from": *p, "to": value}, actor, now); err != nil {
			return err
		}
		*p = value
		if !f.resegment {
			return nil
		}
		return w.UpdateSegment(tx, c, now)
	})
	if err != nil {
		return fmt.Errorf("storage: set %s of customer %d: %w", f.col, id, err)
	}
	return nil
}

// AddTag tags a customer. The VIP tag of the segment rules makes it VIP.
// Adding a tag twice does nothing.
func (w Writes) AddTag(ctx context.Context, id int64, tag, actor string) error {
	return w.tag(ctx, id, tag, actor, true)
}

// RemoveTag removes a tag from a customer; removing a missing tag does
// nothing.
func (w Writes) RemoveTag(ctx context.Context, id int64, tag, actor string) error {
	return w.tag(ctx, id, tag, actor, false)
}

func (w Writes) tag(ctx context.Context, id int64, tag, actor string, add bool) error {
	tag, err := NormalizeTag(tag)
	if err != nil {
		return err
	}
	p := w.d.Param
	err = w.write(ctx, func(tx WriteTx) error {
		c, err := tx.Live(id)
		if err != nil {
			return err
		}
		now := w.now()
		kind := bot.EventTagged
		q, args := `INSERT INTO tags (customer_id, tag, created) VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`) ON CONFLICT DO NOTHING`,
			[]any{id, tag, w.d.At(now)}
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
		if tag != w.rules.VIPTag {
			return nil
		}
		c.VIPTag = add
		if _, err := tx.Exec(`UPDATE customers SET vip = `+p(1)+` WHERE id = `+p(2), add, id); err != nil {
			return fmt.Errorf("tag: %w", err)
		}
		return w.UpdateSegment(tx, c, now)
	})
	if err != nil {
		return fmt.Errorf("storage: tag customer %d: %w", id, err)
	}
	return nil
}

// RecomputeSegments recomputes the segment of every live customer at the
// current time (segments such as new and active expire with time, without
// any event) and returns how many changed. Run it periodically, w.g. hourly.
func (w Writes) RecomputeSegments(ctx context.Context) (int, error) {
	// In pages, so that no transaction is held for long.
	changed, err := InPages(500, func(after int64, size int) (int, int64, error) {
		return w.recomputePage(ctx, after, size)
	})
	if err != nil {
		return changed, fmt.Errorf("storage: recompute segments: %w", err)
	}
	return changed, nil
}

func (w Writes) recomputePage(ctx context.Context, after int64, size int) (changed int, last int64, err error) {
	err = w.write(ctx, func(tx WriteTx) error {
		changed, last = 0, 0
		cs, err := tx.LiveAfter(after, size)
		if err != nil {
			return err
		}
		now := w.now()
		for _, c := range cs {
			if w.rules.Segment(c.SegmentInput, now) != c.Segment {
				changed++
				if err := w.UpdateSegment(tx, c, now); err != nil {
					return err
				}
			}
			last = c.ID
		}
		return nil
	})
	return changed, last, err
}

// Erase removes a customer's personal data for good: contact data, channel
// identities, tags (and the tag text of its tagged and untagged events),
// notes, the text of every message of its conversations (the customer's and
// the replies, which may quote it), escalation summaries, outbox items about
// it, its votes, the recorded outcomes of its requests and knowledge-gap
// questions only it asked. It keeps anonymous counts (messages, complaints,
// conversations, CSAT, intents) and records an "erased" event, all in one
// transaction; removing old copies of the data is the engine's. An unknown
// customer is ENOTFOUND; a customer already erased or merged into another
// is ECONFLICT.
func (w Writes) Erase(ctx context.Context, id int64, actor string) error {
	p := w.d.Param
	err := w.write(ctx, func(tx WriteTx) error {
		if _, err := tx.Live(id); err != nil {
			return err
		}
		now := w.now()
		var gaps []int64
		err := tx.Each(`SELECT DISTINCT gap_id FROM knowledge_gap_messages WHERE customer_id = `+p(1), []any{id},
			appender(&gaps, func(sc RowScanner) (g int64, err error) { return g, sc.Scan(&g) }))
		if err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		asked := `(SELECT count(*) FROM knowledge_gap_messages k WHERE k.gap_id = knowledge_gaps.id AND k.customer_id = ` + p(1) + `)`
		for _, q := range []string{
			`UPDATE knowledge_gaps SET count = CASE WHEN knowledge_gaps.count > ` + asked + ` THEN knowledge_gaps.count - ` + asked + ` ELSE 0 END
				WHERE id IN (SELECT gap_id FROM knowledge_gap_messages WHERE customer_id = ` + p(1) + `)`,
			`DELETE FROM knowledge_gap_messages WHERE customer_id = ` + p(1),
			// A keyed request's recorded answer repeats the customer's words.
			`DELETE FROM requests WHERE message_id IN (SELECT id FROM messages WHERE customer_id = ` + p(1) + `)`,
			`UPDATE messages SET text = '', redacted = true WHERE customer_id = ` + p(1) + ` AND (text <> '' OR NOT redacted)`,
			`UPDATE escalations SET summary = '' WHERE customer_id = ` + p(1),
			`DELETE FROM outbox WHERE customer_id = ` + p(1),
			// Votes carry a hash of the voter's channel id: pseudonymous, so personal.
			`DELETE FROM answer_feedback WHERE conversation_id IN (SELECT id FROM conversations WHERE customer_id = ` + p(1) + `)`,
			`DELETE FROM notes WHERE customer_id = ` + p(1),
			`DELETE FROM tags WHERE customer_id = ` + p(1),
			// Tags are agents' free text: their events keep who and when.
			`UPDATE customer_events SET detail = '{}' WHERE customer_id = ` + p(1) + ` AND kind IN ('` + bot.EventTagged + `', '` +
				bot.EventUntagged + `')`,
			`DELETE FROM channel_identities WHERE customer_id = ` + p(1),
		} {
			if _, err := tx.Exec(q, id); err != nil {
				return fmt.Errorf("erase: %w", err)
			}
		}
		if _, err := tx.Exec(`UPDATE customers SET name = '', email = '', phone = '', vip = false, erased = `+p(2)+`, updated = `+p(2)+`
			WHERE id = `+p(1), id, w.d.At(now)); err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		// A question nobody else asked goes with the customer.
		for _, g := range gaps {
			if _, err := tx.Exec(`DELETE FROM knowledge_gaps WHERE id = `+p(1)+` AND NOT EXISTS
				(SELECT 1 FROM knowledge_gap_messages WHERE gap_id = `+p(1)+`)`, g); err != nil {
				return fmt.Errorf("erase: %w", err)
			}
		}
		return tx.AddEvent(id, 0, bot.EventErased, nil, actor, now)
	})
	if err != nil {
		return fmt.Errorf("storage: erase customer %d: %w", id, err)
	}
	return nil
}
