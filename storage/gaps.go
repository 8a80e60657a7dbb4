package storage

import (
	"context"
	"fmt"
	"time"
)

// KnowledgeGap is a question the bot could not answer (it asked the customer
// to clarify), counted over all customers under its normalised form.
type KnowledgeGap struct {
	ID        int64
	Question  string // NormalizeQuestion of the customer's text
	Language  string
	Count     int
	FirstSeen time.Time
	LastSeen  time.Time
}

// KnowledgeGaps returns the most frequent knowledge gaps, most asked first,
// at most limit (20 when limit ≤ 0).
func (db *DB) KnowledgeGaps(ctx context.Context, limit int) ([]KnowledgeGap, error) {
	if limit <= 0 {
		limit = 20
	}
	rows, err := db.r.QueryContext(ctx, `SELECT id, question, language, count, first_seen, last_seen FROM knowledge_gaps
		ORDER BY count DESC, last_seen DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: knowledge gaps: %w", describe(err))
	}
	defer rows.Close()
	var out []KnowledgeGap
	for rows.Next() {
		var g KnowledgeGap
		var first, last string
		if err := rows.Scan(&g.ID, &g.Question, &g.Language, &g.Count, &first, &last); err != nil {
			return nil, fmt.Errorf("storage: knowledge gaps: %w", describe(err))
		}
		g.FirstSeen, g.LastSeen = parseTime(first), parseTime(last)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: knowledge gaps: %w", describe(err))
	}
	return out, nil
}
