package storage

import (
	"strconv"
	"strings"

	"github.com/concierge-bot/concierge/bot"
)

// Placeholder is how an engine's SQL names the n-th (from 1) parameter of a
// query: "?n" in SQLite, "$n" in PostgreSQL.
type Placeholder func(n int) string

// Numbered returns the Placeholder that names the n-th parameter prefix
// followed by n ("?3", "$3"). The names of the first 32 are made once, so
// the statements built on every message do not allocate them again.
func Numbered(prefix string) Placeholder {
	var names [33]string
	for n := range names {
		names[n] = prefix + strconv.Itoa(n)
	}
	return func(n int) string {
		if n >= 0 && n < len(names) {
			return names[n]
		}
		return prefix + strconv.Itoa(n)
	}
}

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

// OutboxCols are the columns of an outbox row as every engine's schema has
// them, in the order the engines scan a bot.OutboxItem.
const OutboxCols = `id, kind, idempotency_key, coalesce(customer_id, 0), payload, attempts, last_error, next_attempt,
	created, delivered, dead`

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

// CustomerDetails fills in the identities and tags of a list of customers
// from the rows an engine reads for them, in any order and in any number of
// queries. It is not safe for concurrent use.
type CustomerDetails struct {
	cs    []bot.Customer
	index map[int64]int
}

// NewCustomerDetails returns a CustomerDetails that fills in cs, in place.
func NewCustomerDetails(cs []bot.Customer) *CustomerDetails {
	index := make(map[int64]int, len(cs))
	for i, c := range cs {
		index[c.ID] = i
	}
	return &CustomerDetails{cs: cs, index: index}
}

// ScanIdentity reads a row (customer_id, channel, external_id) of
// channel_identities and adds the identity to its customer.
func (d *CustomerDetails) ScanIdentity(sc RowScanner) error {
	var id int64
	var ident bot.Identity
	if err := sc.Scan(&id, &ident.Channel, &ident.ExternalID); err != nil {
		return err
	}
	c := &d.cs[d.index[id]]
	c.Identities = append(c.Identities, ident)
	return nil
}

// ScanTag reads a row (customer_id, tag) of tags and adds the tag to its
// customer.
func (d *CustomerDetails) ScanTag(sc RowScanner) error {
	var id int64
	var tag string
	if err := sc.Scan(&id, &tag); err != nil {
		return err
	}
	c := &d.cs[d.index[id]]
	c.Tags = append(c.Tags, tag)
	return nil
}

// ContactUpdateQuery returns the statement that stores the non-empty
// fields of u (normalised: NormalizeContact) on customer id, with updated as
// its update time (in the engine's form), and its arguments, with
// parameters named by ph; and the names of the fields it changes, for the
// event (never their values). The statement is "" when u changes nothing.
func ContactUpdateQuery(id int64, u bot.ContactUpdate, updated any, ph Placeholder) (q string, args []any, changed []string) {
	a := NewArgs(ph)
	var set []string
	for _, f := range []struct{ col, val string }{
		{"name", u.Name}, {"email", u.Email}, {"phone", u.Phone}, {"language", u.Language},
	} {
		if f.val != "" {
			set, changed = append(set, f.col+" = "+a.Add(f.val)), append(changed, f.col)
		}
	}
	if len(set) == 0 {
		return "", nil, nil
	}
	q = `UPDATE customers SET ` + strings.Join(set, ", ") + `, updated = ` + a.Add(updated) + ` WHERE id = ` + a.Add(id)
	return q, a.List(), changed
}
