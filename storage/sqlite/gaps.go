package sqlite

import (
	"context"
	"fmt"

	"github.com/concierge-bot/concierge/bot"
)

// KnowledgeGaps returns the most frequent knowledge gaps, most asked first,
// at most limit (20 when limit ≤ 0).
func (db *DB) KnowledgeGaps(ctx context.Context, limit int) ([]bot.KnowledgeGap, error) {
	if limit <= 0 {
		limit = 20
	}
	rows, err := db.r.QueryContext(ctx, `SELECT id, question, language, count, first_seen, last_seen FROM knowledge_gaps
		ORDER BY count DESC, last_seen DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: knowledge gaps: %w", describe(err))
	}
	defer rows.Close()
	var out []bot.KnowledgeGap
	for rows.Next() {
		var g bot.KnowledgeGap
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
