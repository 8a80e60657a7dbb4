package storage

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
)

// The rules below are the same for every engine: how contact data, tags and
// knowledge-gap questions are normalised, how customers fall into segments
// and how an export is written. storage/sqlite and storage/postgres both
// use them, so the engines cannot drift apart on them.

// NormalizeEmail returns the stored form of an email address, or an EINVALID
// *bot.Error when it is not one.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return "", bot.Errorf(bot.EINVALID, "%q is not an email address.", s)
	}
	return s, nil
}

// NormalizePhone returns the stored form of a phone number (digits, with a
// leading + if it had one), or an EINVALID *bot.Error when it does not hold
// 6 to 15 digits. Spaces, dots, dashes and parentheses are ignored.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", bot.Errorf(bot.EINVALID, "%q is not a phone number.", s)
		}
	}
	p := b.String()
	if n := len(strings.TrimPrefix(p, "+")); n < 6 || n > 15 {
		return "", bot.Errorf(bot.EINVALID, "%q is not a phone number.", s)
	}
	return p, nil
}

// NormalizeTag returns the stored form of a tag (trimmed, lower-case), or an
// EINVALID *bot.Error when it is empty, longer than 50 characters or holds
// control characters.
func NormalizeTag(tag string) (string, error) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if tag == "" || !utf8.ValidString(tag) || utf8.RuneCountInString(tag) > 50 || strings.ContainsFunc(tag, unicode.IsControl) {
		return "", bot.Errorf(bot.EINVALID, "A tag must be 1 to 50 characters of text.")
	}
	return tag, nil
}

// NormalizeContact checks and normalises a contact update: the name trimmed
// (at most 200 characters of text), email and phone in their stored forms,
// the language code lower-case.
func NormalizeContact(u bot.ContactUpdate) (bot.ContactUpdate, error) {
	var err error
	u.Name = strings.TrimSpace(u.Name)
	if !utf8.ValidString(u.Name) || utf8.RuneCountInString(u.Name) > 200 || strings.ContainsFunc(u.Name, unicode.IsControl) {
		return u, bot.Errorf(bot.EINVALID, "A name must be at most 200 characters of text.")
	}
	if u.Email != "" {
		if u.Email, err = NormalizeEmail(u.Email); err != nil {
			return u, err
		}
	}
	if u.Phone != "" {
		if u.Phone, err = NormalizePhone(u.Phone); err != nil {
			return u, err
		}
	}
	u.Language = strings.ToLower(strings.TrimSpace(u.Language))
	if len(u.Language) > 16 || strings.ContainsFunc(u.Language, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) {
		return u, bot.Errorf(bot.EINVALID, "%q is not a language code.", u.Language)
	}
	return u, nil
}

// maxQuestionRunes bounds the length of a stored knowledge-gap question.
const maxQuestionRunes = 300

// NormalizeQuestion returns the form under which equal questions are counted
// as one knowledge gap: lower-case, runs of white space collapsed to one
// space, surrounding punctuation and space trimmed, at most 300 characters.
func NormalizeQuestion(s string) string {
	var b strings.Builder
	space := false
	n := 0
	for _, r := range strings.ToLower(s) {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
			n++
		}
		b.WriteRune(r)
		n++
		if n >= maxQuestionRunes {
			break
		}
	}
	return strings.TrimFunc(b.String(), func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}

// ValidStage reports whether s is a lead stage (bot.Stages) or none.
func ValidStage(s string) bool { return s == bot.StageNone || slices.Contains(bot.Stages(), s) }

// CheckStage returns nil when stage is a lead stage or none (ValidStage),
// else an EINVALID *bot.Error that lists the stages.
func CheckStage(stage string) error {
	if !ValidStage(stage) {
		return bot.Errorf(bot.EINVALID, "Unknown lead stage %q; use one of %s.", stage, strings.Join(bot.Stages(), ", "))
	}
	return nil
}

// StageEvent is the kind of event that records a customer's move from lead
// stage from to another: a new lead when it had none, else a stage change.
func StageEvent(from string) string {
	if from == bot.StageNone {
		return bot.EventNewLead
	}
	return bot.EventStageChanged
}

// OwnerEvent is the kind of event that records a change of a customer's
// sales owner from anyone.
func OwnerEvent(string) string { return bot.EventOwnerChanged }

// CheckCSAT returns nil when score is a satisfaction rating, 1 (worst) to 5
// (best), else an EINVALID *bot.Error.
func CheckCSAT(score int) error {
	if score < 1 || score > 5 {
		return bot.Errorf(bot.EINVALID, "A rating must be between 1 and 5, not %d.", score)
	}
	return nil
}

// NormalizeAgentMessage checks a human agent's message: it returns the
// agent's name trimmed, or an EINVALID *bot.Error when the name is empty or
// the text is not a valid message (bot.ValidateText).
func NormalizeAgentMessage(agent, text string) (string, error) {
	return normalizeAuthored(agent, text, "An agent message needs the agent's name.")
}

// NormalizeNote checks an agent's note on a customer: it returns the
// author trimmed, or an EINVALID *bot.Error when the author is empty or the
// text is not a valid message (bot.ValidateText).
func NormalizeNote(author, text string) (string, error) {
	return normalizeAuthored(author, text, "A note needs its author.")
}

// normalizeAuthored trims author and checks it and text; missing is the
// error's message when author is empty.
func normalizeAuthored(author, text, missing string) (string, error) {
	author = strings.TrimSpace(author)
	if author == "" {
		return "", bot.Errorf(bot.EINVALID, "%s", missing)
	}
	if err := bot.ValidateText(text); err != nil {
		return "", err
	}
	return author, nil
}

// StageRank orders lead stages by progress, so a merge keeps the furthest.
func StageRank(stage string) int {
	return map[string]int{bot.StageNone: 0, bot.StageLost: 1, bot.StageNew: 2, bot.StageContacted: 3,
		bot.StageQualified: 4, bot.StageWon: 5}[stage]
}

// SegmentRules configures the rule-based segments. Segments are recomputed
// whenever something happens to a customer (a message, an annotation, a tag,
// a stage change) and for everyone by RecomputeSegments.
type SegmentRules struct {
	// NewFor is how long after first contact a customer is "new". Default 7 days.
	NewFor time.Duration
	// ActiveFor is how long after their last message a customer is "active".
	// Default 30 days.
	ActiveFor time.Duration
	// AtRiskFor is how long a complaint, a complaint escalation or a negative
	// message keeps a customer "at_risk". Default 30 days.
	AtRiskFor time.Duration
	// VIPTag is the tag that makes a customer VIP. Default "vip".
	VIPTag string
	// VIPMinMessages, when positive, makes customers who wrote at least this
	// many messages VIP.
	VIPMinMessages int
	// VIPWon makes customers whose lead stage is "won" VIP.
	VIPWon bool
}

// WithDefaults returns r with its zero fields set to their defaults.
func (r SegmentRules) WithDefaults() SegmentRules {
	if r.NewFor <= 0 {
		r.NewFor = 7 * 24 * time.Hour
	}
	if r.ActiveFor <= 0 {
		r.ActiveFor = 30 * 24 * time.Hour
	}
	if r.AtRiskFor <= 0 {
		r.AtRiskFor = 30 * 24 * time.Hour
	}
	if r.VIPTag == "" {
		r.VIPTag = "vip"
	}
	return r
}

// SegmentInput is what a customer's segment depends on.
type SegmentInput struct {
	Created, LastSeen, AtRiskUntil time.Time
	VIPTag                         bool // tagged with the VIP tag
	Inbound                        int  // messages written
	Stage                          string
}

// Segment returns the segment of a customer at time now: at risk, VIP, new,
// active or inactive, the first that applies.
func (r SegmentRules) Segment(in SegmentInput, now time.Time) string {
	switch {
	case in.AtRiskUntil.After(now):
		return bot.SegmentAtRisk
	case r.IsVIP(in.VIPTag, in.Inbound, in.Stage):
		return bot.SegmentVIP
	case now.Sub(in.Created) < r.NewFor:
		return bot.SegmentNew
	case !in.LastSeen.IsZero() && now.Sub(in.LastSeen) < r.ActiveFor:
		return bot.SegmentActive
	}
	return bot.SegmentInactive
}

// IsVIP reports whether the VIP rule holds: the tag, enough messages or a won
// lead, whatever the customer's current segment.
func (r SegmentRules) IsVIP(tagged bool, inbound int, stage string) bool {
	return tagged || (r.VIPMinMessages > 0 && inbound >= r.VIPMinMessages) || (r.VIPWon && stage == bot.StageWon)
}

// ExportHeader is the CSV header of an export, in bot.ExportRow's field
// order.
var ExportHeader = []string{"message_id", "time", "customer_id", "customer_name", "customer_email", "customer_phone",
	"channel", "conversation_id", "direction", "author", "text", "intent", "confidence", "language", "sentiment",
	"action", "redacted"}

// ExportWriter encodes export rows as CSV (with ExportHeader, cells a
// spreadsheet would run neutralised by SafeCell) or as JSON lines.
type ExportWriter struct {
	csv  *csv.Writer
	rec  []string
	head bool
	json *json.Encoder
}

// NewExportWriter returns a writer of format (bot.ExportCSV, the default, or
// bot.ExportJSON) to w, or an EINVALID *bot.Error for another format.
func NewExportWriter(w io.Writer, format string) (*ExportWriter, error) {
	switch format {
	case "", bot.ExportCSV:
		return &ExportWriter{csv: csv.NewWriter(w), rec: make([]string, len(ExportHeader))}, nil
	case bot.ExportJSON:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return &ExportWriter{json: enc}, nil
	}
	return nil, bot.Errorf(bot.EINVALID, "Unknown export format %q; use csv or json.", format)
}

// Write writes one row.
func (x *ExportWriter) Write(r *bot.ExportRow) error {
	if x.json != nil {
		return x.json.Encode(r)
	}
	if err := x.header(); err != nil {
		return err
	}
	f := x.rec
	f[0] = strconv.FormatInt(r.MessageID, 10)
	f[1] = r.Time
	f[2] = strconv.FormatInt(r.CustomerID, 10)
	f[3] = SafeCell(r.CustomerName)
	f[4] = SafeCell(r.CustomerEmail)
	f[5] = SafeCell(r.CustomerPhone)
	f[6] = SafeCell(r.Channel)
	f[7] = strconv.FormatInt(int64(r.ConversationID), 10)
	f[8] = r.Direction
	f[9] = SafeCell(r.Author)
	f[10] = SafeCell(r.Text)
	f[11] = SafeCell(r.Intent)
	f[12] = strconv.FormatFloat(r.Confidence, 'f', -1, 64)
	f[13] = SafeCell(r.Language)
	f[14] = strconv.FormatFloat(r.Sentiment, 'f', -1, 64)
	f[15] = SafeCell(r.Action)
	f[16] = strconv.FormatBool(r.Redacted)
	return x.csv.Write(f)
}

func (x *ExportWriter) header() error {
	if x.head {
		return nil
	}
	x.head = true
	return x.csv.Write(ExportHeader)
}

// Flush writes what is buffered; a CSV export of no rows still has its
// header.
func (x *ExportWriter) Flush() error {
	if x.json != nil {
		return nil
	}
	if err := x.header(); err != nil {
		return err
	}
	x.csv.Flush()
	return x.csv.Error()
}

// SafeCell neutralises a text cell for spreadsheet users: a cell starting
// with =, +, -, @, a tab or a carriage return would be run as a formula, so
// it gets a leading apostrophe, which spreadsheets show as text. Other text
// is returned unchanged; CSV quoting is the CSV writer's job.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	// Full-width forms are read as formulas by some spreadsheets too.
	if strings.HasPrefix(s, "＝") || strings.HasPrefix(s, "＋") || strings.HasPrefix(s, "－") || strings.HasPrefix(s, "＠") {
		return "'" + s
	}
	return s
}
