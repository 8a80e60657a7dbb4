-- Version 5: a bot reply may offer "did you mean" choices; they are kept
-- with the message, as JSON like sources, so the widget's history shows them
-- and a pick can be matched to what was offered.
ALTER TABLE messages ADD COLUMN choices TEXT;
