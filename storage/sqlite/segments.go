package sqlite

import "github.com/concierge-bot/concierge/storage"

// SegmentRules configures the rule-based segments; the rules are package
// storage's, the same for every engine.
type SegmentRules = storage.SegmentRules
