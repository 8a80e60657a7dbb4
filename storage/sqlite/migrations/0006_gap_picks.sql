-- Version 6: when the bot was not sure and offered choices ("did you mean
-- …?"), the choice the customer picked is counted against the knowledge gap
-- of their question, so the gaps report shows which document answered it.
CREATE TABLE knowledge_gap_picks (
	gap_id INTEGER NOT NULL REFERENCES knowledge_gaps(id) ON DELETE CASCADE,
	doc_id TEXT    NOT NULL, -- the document picked (a page passage's id includes its #section)
	count  INTEGER NOT NULL DEFAULT 0,
	last   TEXT    NOT NULL,
	PRIMARY KEY (gap_id, doc_id)
) WITHOUT ROWID;
