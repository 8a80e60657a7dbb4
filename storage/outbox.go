package storage

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Enqueue adds the outbox message m at t through tx, in d's dialect, unless
// an item with its key exists, and returns the id of the item with that key
// and whether it added it. A message without a kind or key, or whose
// payload is not JSON the engine can store, is EINVALID.
func Enqueue(tx Tx, d Dialect, m bot.OutboxMessage, t time.Time) (id int64, added bool, err error) {
	if m.Kind == "" || m.Key == "" {
		return 0, false, bot.Errorf(bot.EINVALID, "An outbox item needs a kind and a key.")
	}
	notJSON := fmt.Sprintf("The payload of outbox item %s is not JSON.", m.Key)
	if !json.Valid(m.Payload) {
		return 0, false, bot.Errorf(bot.EINVALID, "%s", notJSON)
	}
	if err := d.refuse(notJSON, string(m.Payload)); err != nil {
		return 0, false, err
	}
	var cust *int64
	if m.CustomerID != 0 {
		cust = &m.CustomerID
	}
	p := d.Param
	n, err := tx.Exec(`INSERT INTO outbox (kind, customer_id, payload, idempotency_key, next_attempt, created)
		VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`, `+p(5)+`, `+p(5)+`) ON CONFLICT (idempotency_key) DO NOTHING`,
		m.Kind, cust, string(m.Payload), m.Key, d.At(t))
	if err != nil {
		return 0, false, fmt.Errorf("outbox %s: %w", m.Kind, err)
	}
	if _, err := tx.ScanRow(`SELECT id FROM outbox WHERE idempotency_key = `+p(1), []any{m.Key}, &id); err != nil {
		return 0, false, fmt.Errorf("outbox %s: %w", m.Kind, err)
	}
	return id, n > 0, nil
}
