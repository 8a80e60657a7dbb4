package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// Customers returns the customers matching f, by id, with their identities
// and tags. Customers merged into another are left out.
func (db *DB) Customers(ctx context.Context, f bot.CustomerFilter) ([]bot.Customer, error) {
	q, args := storage.CustomersQuery(f, param)
	// One read transaction so the customers and their identities agree.
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("storage: customers: %w", describe(err))
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, q, args...)
	out, err := collect(rows, err, storage.ScanCustomer)
	if err != nil {
		return nil, fmt.Errorf("storage: customers: %w", err)
	}
	if err := attachDetails(ctx, tx, out); err != nil {
		return nil, fmt.Errorf("storage: customers: %w", err)
	}
	return out, nil
}

// attachDetails fills in the identities and tags of customers, in chunks of
// ids.
func attachDetails(ctx context.Context, tx *sql.Tx, cs []bot.Customer) error {
	const chunk = 500
	d := storage.NewCustomerDetails(cs)
	for start := 0; start < len(cs); start += chunk {
		end := min(start+chunk, len(cs))
		ids := make([]any, 0, end-start)
		for _, c := range cs[start:end] {
			ids = append(ids, c.ID)
		}
		in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")"
		rows, err := tx.QueryContext(ctx, `SELECT customer_id, channel, external_id FROM channel_identities
			WHERE customer_id IN `+in+` ORDER BY customer_id, channel, external_id`, ids...)
		if err := eachRow(rows, err, func(rows *sql.Rows) error { return d.ScanIdentity(rows) }); err != nil {
			return fmt.Errorf("identities: %w", err)
		}
		rows, err = tx.QueryContext(ctx, `SELECT customer_id, tag FROM tags WHERE customer_id IN `+in+`
			ORDER BY customer_id, tag`, ids...)
		if err := eachRow(rows, err, func(rows *sql.Rows) error { return d.ScanTag(rows) }); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
	}
	return nil
}

// Customer returns one customer with its identities and tags, or an
// ENOTFOUND *bot.Error if there is none with that id. A customer merged into
// another is returned with MergedInto set.
func (db *DB) Customer(ctx context.Context, id int64) (bot.Customer, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return bot.Customer{}, fmt.Errorf("storage: customer %d: %w", id, describe(err))
	}
	defer func() { _ = tx.Rollback() }()
	c, err := storage.ScanCustomer(tx.QueryRowContext(ctx, `SELECT `+storage.CustomerCols+` FROM customers c WHERE c.id = ?`, id))
	if err != nil {
		return bot.Customer{}, lookupError(err, "customer", "Customer %d does not exist.", id)
	}
	cs := []bot.Customer{c}
	if err := attachDetails(ctx, tx, cs); err != nil {
		return bot.Customer{}, fmt.Errorf("storage: customer %d: %w", id, err)
	}
	return cs[0], nil
}
