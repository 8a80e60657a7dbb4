package storage

import (
	"strings"

	"github.com/concierge-bot/concierge/bot"
)

// Placeholder is how an engine's SQL names the n-th (from 1) parameter of a
// query: "?n" in SQLite, "$n" in PostgreSQL.
type Placeholder func(n int) string

// Args gathers the arguments of a query being built.
type Args struct {
	ph   Placeholder
	list []any
}

// NewArgs returns an empty Args that names parameters with ph.
func NewArgs(ph Placeholder) *Args { return &Args{ph: ph} }

// Add appends v to the arguments and returns its placeholder.
func (a *Args) Add(v any) string {
	a.list = append(a.list, v)
	return a.ph(len(a.list))
}

// List returns the arguments in order.
func (a *Args) List() []any { return a.list }

// CustomerCols are the columns of a customers row, alias c, as every
// engine's schema has them, in the order the engines scan a bot.Customer.
const CustomerCols = `c.id, c.name, c.email, c.phone, c.language, c.segment, c.stage, c.owner, c.created, c.updated,
	c.role, c.inbound_count, c.outbound_count, c.complaint_count, c.last_seen, c.erased, coalesce(c.merged_into, 0)`

// CustomersQuery returns the query for the customers matching f, by id,
// leaving out those merged into another (the columns CustomerCols), and its
// arguments, with parameters named by ph. f.Query matches a substring of
// the name (any case), email or phone.
func CustomersQuery(f bot.CustomerFilter, ph Placeholder) (string, []any) {
	a := NewArgs(ph)
	q := `SELECT ` + CustomerCols + ` FROM customers c WHERE c.merged_into IS NULL AND c.id > ` + a.Add(f.AfterID)
	if f.Segment != "" {
		q += ` AND c.segment = ` + a.Add(f.Segment)
	}
	if f.Stage != "" {
		q += ` AND c.stage = ` + a.Add(f.Stage)
	}
	if f.Tag != "" {
		q += ` AND EXISTS (SELECT 1 FROM tags t WHERE t.customer_id = c.id AND t.tag = ` + a.Add(f.Tag) + `)`
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		p := a.Add("%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(s)) + "%")
		q += ` AND (lower(c.name) LIKE ` + p + ` ESCAPE '\' OR c.email LIKE ` + p + ` ESCAPE '\' OR c.phone LIKE ` + p + ` ESCAPE '\')`
	}
	q += ` ORDER BY c.id`
	if f.Limit > 0 {
		q += ` LIMIT ` + a.Add(f.Limit)
	}
	return q, a.List()
}
