package bot

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// More escalation reasons the Engine records (see also store.go).
const (
	// ReasonVIP: a VIP customer showed a negative signal (negative sentiment
	// or a complaint score above half the complaint threshold).
	ReasonVIP = "vip"
)

// ActionHold is the Action of a Reply that holds a customer who writes while
// waiting for a human: it carries the one holding message, with the expected
// wait, that the Engine sends per handoff; adapters render its Text like any
// answer. The message is stored with ActionRelay (the bot took no decision),
// and the conversation stays with the human (Reply.Handoff).
const ActionHold Action = "hold"

// IntentRating is the intent recorded for a message the Engine read as a
// satisfaction rating (1–5) of the customer's previous, resolved
// conversation.
const IntentRating = "csat_rating"

// CustomerDirectory tells the Engine what it needs to know of a customer
// beyond the conversation. *storage.DB satisfies it. It is optional: without
// one the Engine has no VIP trigger.
type CustomerDirectory interface {
	// IsVIP reports whether the customer is a VIP (tagged or by rule). An
	// unknown customer is not a VIP and not an error.
	IsVIP(ctx context.Context, customerID int64) (bool, error)
}

// Ratings records satisfaction ratings of resolved conversations.
// *storage.DB satisfies it. It is optional: without it a rating a customer
// sends is treated as an ordinary message.
type Ratings interface {
	// PendingRating returns the id of the customer's latest conversation on
	// channel that was resolved at or after since, was asked for a rating and
	// has none yet; 0 when there is none.
	PendingRating(ctx context.Context, customerID int64, channel string, since time.Time) (ConversationID, error)
	// SetCSAT records a rating, 1 (worst) to 5 (best), of a conversation.
	SetCSAT(ctx context.Context, conversationID ConversationID, score int) error
}

// maxRatingRunes bounds the length of a message that can be read as a
// rating: a rating is a digit, some stars or a word, never a sentence.
const maxRatingRunes = 24

// ParseRating reads a customer's reply to the satisfaction question as a
// score from 1 to 5. It accepts a digit ("4", "4/5", "4 分", "rating: 4"),
// one to five stars ("★★★★", "⭐⭐⭐⭐⭐", "****", "4 stars"), a Chinese
// numeral ("四", "五星", "四分") and full-width digits ("４"). Anything else,
// including a message with two different numbers or a number outside 1–5,
// is not a rating (ok false), so questions that merely contain a digit are
// not mistaken for one. It never panics.
func ParseRating(text string) (score int, ok bool) {
	s := strings.TrimSpace(text)
	if s == "" || utf8.RuneCountInString(s) > maxRatingRunes {
		return 0, false
	}
	s = strings.ToLower(s)
	// Words that may surround a rating, in either language.
	for _, w := range []string{"rating", "score", "stars", "star", "points", "out of 5", "/5", "分", "星", "颗", "评分",
		"打", "给", "我", "了", "吧", "i give", "i'd give", "give", "it's a", "it's", "a", ":", "：", "!", "！", ".", "。",
		"~", "～"} {
		s = strings.ReplaceAll(s, w, " ")
	}
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return 0, false
	}
	// Stars: every rune the same star character.
	stars := 0
	for _, r := range s {
		switch r {
		case '★', '⭐', '*', '☆':
			if r == '☆' { // an empty star counts for nothing
				continue
			}
			stars++
		case '\ufe0f': // emoji variation selector after ⭐
		default:
			stars = -1
		}
		if stars < 0 {
			break
		}
	}
	if stars >= 1 && stars <= 5 {
		return stars, true
	}
	if stars != -1 {
		return 0, false
	}
	if n, ok := ratingWords[s]; ok {
		return n, true
	}
	r, size := utf8.DecodeRuneInString(s)
	if size != len(s) {
		return 0, false // more than one symbol left: not a bare rating
	}
	switch {
	case r >= '1' && r <= '5':
		return int(r - '0'), true
	case r >= '１' && r <= '５':
		return int(r-'１') + 1, true
	}
	if n := strings.IndexRune("一二三四五", r); n >= 0 {
		return n/len("一") + 1, true
	}
	if unicode.IsDigit(r) {
		return 0, false
	}
	return 0, false
}

var ratingWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}

// FormatWait renders an expected wait for the holding message in a reply
// language: "about 15 minutes", "约 15 分钟". Waits under a minute read as a
// minute; waits of two hours or more are given in hours.
func FormatWait(d time.Duration, lang string) string {
	minutes := int((d + 59*time.Second) / time.Minute)
	if minutes < 1 {
		minutes = 1
	}
	if lang == "zh" {
		if minutes >= 120 {
			return "约 " + strconv.Itoa((minutes+30)/60) + " 小时"
		}
		return "约 " + strconv.Itoa(minutes) + " 分钟"
	}
	switch {
	case minutes >= 120:
		return "about " + strconv.Itoa((minutes+30)/60) + " hours"
	case minutes == 1:
		return "about a minute"
	}
	return "about " + strconv.Itoa(minutes) + " minutes"
}
