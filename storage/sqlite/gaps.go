package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// KnowledgeGaps returns the most frequent knowledge gaps, most asked first,
// at most limit (20 when limit ≤ 0).
func (db *DB) KnowledgeGaps(ctx context.Context, limit int) ([]bot.KnowledgeGap, error) {
	bot.SetDefault(&limit, 20)
	rows, err := db.r.QueryContext(ctx, `SELECT g.id, g.question, g.language, g.count, g.first_seen, g.last_seen,
			coalesce(p.doc_id, ''), coalesce(p.count, 0)
		FROM knowledge_gaps g
		LEFT JOIN knowledge_gap_picks p ON p.gap_id = g.id AND p.doc_id = (SELECT doc_id FROM knowledge_gap_picks
			WHERE gap_id = g.id ORDER BY count DESC, last DESC, doc_id LIMIT 1)
		ORDER BY g.count DESC, g.last_seen DESC LIMIT ?`, limit)
	out, err := collect(rows, err, scanKnowledgeGap)
	if err != nil {
		return nil, fmt.Errorf("storage: knowledge gaps: %w", err)
	}
	return out, nil
}

func scanKnowledgeGap(sc rowScanner) (bot.KnowledgeGap, error) {
	var g bot.KnowledgeGap
	var first, last string
	err := sc.Scan(&g.ID, &g.Question, &g.Language, &g.Count, &first, &last, &g.Picked, &g.Picks)
	g.FirstSeen, g.LastSeen = parseTime(first), parseTime(last)
	return g, err
}

// addGapPick counts the choice a customer picked (o.Picked) against the
// knowledge gap of the conversation's latest question the bot was not sure
// of; nothing when there is none.
func addGapPick(tx *sql.Tx, conversationID bot.ConversationID, docID string, t time.Time) error {
	var gap int64
	err := tx.QueryRow(`SELECT g.gap_id FROM knowledge_gap_messages g JOIN messages m ON m.id = g.message_id
		WHERE m.conversation_id = ? ORDER BY g.message_id DESC LIMIT 1`, conversationID).Scan(&gap)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("knowledge gap pick: %w", describe(err))
	}
	if _, err := tx.Exec(`INSERT INTO knowledge_gap_picks (gap_id, doc_id, count, last) VALUES (?, ?, 1, ?)
		ON CONFLICT (gap_id, doc_id) DO UPDATE SET count = count + 1, last = excluded.last`,
		gap, docID, fmtTime(t)); err != nil {
		return fmt.Errorf("knowledge gap pick: %w", describe(err))
	}
	return nil
}
