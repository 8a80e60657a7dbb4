-- Version 3: agents' verdicts on customers' messages. An agent marks a
-- message the bot escalated as not a complaint, or one it answered as a
-- complaint; the complaint detector learns the marked messages whose text is
-- still kept (retention and erase blank the text, and with it the lesson).
ALTER TABLE messages ADD COLUMN label text COLLATE "C" NOT NULL DEFAULT ''
	CHECK (label IN ('', 'complaint', 'not_complaint'));
ALTER TABLE messages ADD COLUMN label_agent text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN label_time timestamptz;

CREATE INDEX messages_labelled ON messages(label_time) WHERE label <> '';
