package sqlite

import (
	"time"

	"github.com/concierge-bot/concierge/bot"
)

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

func (r SegmentRules) withDefaults() SegmentRules {
	bot.SetDefault(&r.NewFor, 7*24*time.Hour)
	bot.SetDefault(&r.ActiveFor, 30*24*time.Hour)
	bot.SetDefault(&r.AtRiskFor, 30*24*time.Hour)
	if r.VIPTag == "" {
		r.VIPTag = "vip"
	}
	return r
}

// segmentInput is what a segment depends on.
type segmentInput struct {
	created, lastSeen, atRiskUntil time.Time
	vipTag                         bool
	inbound                        int
	stage                          string
}

// segment returns the segment of a customer at time now.
func (r SegmentRules) segment(in segmentInput, now time.Time) string {
	switch {
	case in.atRiskUntil.After(now):
		return bot.SegmentAtRisk
	case in.vipTag, r.VIPMinMessages > 0 && in.inbound >= r.VIPMinMessages, r.VIPWon && in.stage == bot.StageWon:
		return bot.SegmentVIP
	case now.Sub(in.created) < r.NewFor:
		return bot.SegmentNew
	case !in.lastSeen.IsZero() && now.Sub(in.lastSeen) < r.ActiveFor:
		return bot.SegmentActive
	}
	return bot.SegmentInactive
}

func validStage(s string) bool {
	for _, v := range bot.Stages() {
		if s == v {
			return true
		}
	}
	return s == bot.StageNone
}
