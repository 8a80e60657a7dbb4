package storage

import "time"

// Customer segments, from most to least urgent. A customer is in exactly one
// segment: the first whose rule matches, in this order.
const (
	SegmentAtRisk   = "at_risk"  // complained, was escalated for a complaint, or wrote negatively, recently
	SegmentVIP      = "vip"      // matches the VIP rule of SegmentRules
	SegmentNew      = "new"      // first contact recently
	SegmentActive   = "active"   // wrote recently
	SegmentInactive = "inactive" // none of the above
)

// Segments lists the segment names in order of precedence.
func Segments() []string {
	return []string{SegmentAtRisk, SegmentVIP, SegmentNew, SegmentActive, SegmentInactive}
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
	// ComplaintScore is the complaint score at or above which a message
	// counts as a complaint. Default 0.6.
	ComplaintScore float64
	// NegativeSentiment is the sentiment at or below which a message counts
	// as negative. Default -0.4.
	NegativeSentiment float64
	// VIPTag is the tag that makes a customer VIP. Default "vip".
	VIPTag string
	// VIPMinMessages, when positive, makes customers who wrote at least this
	// many messages VIP.
	VIPMinMessages int
	// VIPWon makes customers whose lead stage is "won" VIP.
	VIPWon bool
}

func (r SegmentRules) withDefaults() SegmentRules {
	if r.NewFor <= 0 {
		r.NewFor = 7 * 24 * time.Hour
	}
	if r.ActiveFor <= 0 {
		r.ActiveFor = 30 * 24 * time.Hour
	}
	if r.AtRiskFor <= 0 {
		r.AtRiskFor = 30 * 24 * time.Hour
	}
	if r.ComplaintScore == 0 {
		r.ComplaintScore = 0.6
	}
	if r.NegativeSentiment == 0 {
		r.NegativeSentiment = -0.4
	}
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
		return SegmentAtRisk
	case in.vipTag, r.VIPMinMessages > 0 && in.inbound >= r.VIPMinMessages, r.VIPWon && in.stage == StageWon:
		return SegmentVIP
	case now.Sub(in.created) < r.NewFor:
		return SegmentNew
	case !in.lastSeen.IsZero() && now.Sub(in.lastSeen) < r.ActiveFor:
		return SegmentActive
	}
	return SegmentInactive
}

// Lead stages of the sales pipeline: new → contacted → qualified → won | lost.
// A customer who is not a lead has the empty stage.
const (
	StageNone      = ""
	StageNew       = "new"
	StageContacted = "contacted"
	StageQualified = "qualified"
	StageWon       = "won"
	StageLost      = "lost"
)

// Stages lists the lead stages in pipeline order.
func Stages() []string {
	return []string{StageNew, StageContacted, StageQualified, StageWon, StageLost}
}

func validStage(s string) bool {
	for _, v := range Stages() {
		if s == v {
			return true
		}
	}
	return s == StageNone
}
