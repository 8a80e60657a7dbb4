-- Version 4: whether a message is a complaint or negative is decided once, by
-- the Engine with the configured thresholds (bot.complaint_threshold and the
-- negative-sentiment threshold), and stored with the message. The segments,
-- the spike warning and the insight rollups count these flags, so a changed
-- setting never makes the dashboard disagree with the bot.

ALTER TABLE messages ADD COLUMN is_complaint INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN is_negative INTEGER NOT NULL DEFAULT 0;

-- Messages annotated before this version were judged with the defaults.
UPDATE messages SET is_complaint = (intent = 'complaint' OR complaint >= 0.6), is_negative = (sentiment <= -0.4)
	WHERE inbound = 1 AND intent <> '';

CREATE INDEX messages_complaints ON messages(time) WHERE inbound = 1 AND is_complaint = 1;

DROP TRIGGER insight_annotation;
CREATE TRIGGER insight_annotation AFTER UPDATE OF intent, is_complaint, is_negative ON messages
WHEN NEW.inbound = 1 AND (OLD.intent IS NOT NEW.intent OR OLD.is_complaint IS NOT NEW.is_complaint
	OR OLD.is_negative IS NOT NEW.is_negative)
BEGIN
	-- Take back what an earlier annotation counted (rare: messages are
	-- annotated once).
	UPDATE insight_days SET messages = messages - 1, complaints = complaints - OLD.is_complaint,
		negative = negative - OLD.is_negative
	WHERE OLD.intent <> '' AND day = substr(OLD.time, 1, 10) AND intent = OLD.intent
		AND channel = (SELECT channel FROM conversations WHERE id = OLD.conversation_id);
	UPDATE insight_conversations SET annotated = annotated - 1, complaints = complaints - OLD.is_complaint,
		negative = negative - OLD.is_negative, purchase = purchase - (OLD.intent = 'purchase_intent')
	WHERE OLD.intent <> '' AND conversation_id = OLD.conversation_id;

	INSERT INTO insight_days (day, channel, intent, messages, complaints, negative)
		SELECT substr(NEW.time, 1, 10), channel, NEW.intent, 1, NEW.is_complaint, NEW.is_negative
		FROM conversations WHERE id = NEW.conversation_id AND NEW.intent <> ''
	ON CONFLICT (day, channel, intent) DO UPDATE SET messages = messages + 1,
		complaints = complaints + excluded.complaints, negative = negative + excluded.negative;
	INSERT INTO insight_conversations (conversation_id, annotated, complaints, negative, purchase)
		SELECT NEW.conversation_id, 1, NEW.is_complaint, NEW.is_negative, NEW.intent = 'purchase_intent'
		WHERE NEW.intent <> ''
	ON CONFLICT (conversation_id) DO UPDATE SET annotated = annotated + 1,
		complaints = complaints + excluded.complaints, negative = negative + excluded.negative,
		purchase = purchase + excluded.purchase;
END;
