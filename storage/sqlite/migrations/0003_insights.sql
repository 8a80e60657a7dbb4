-- Version 3: what the insights reports need, kept up to date by triggers so a
-- report over any range reads small rollups and indexed columns, never the
-- rows (or text) of messages; and the helpful / not helpful votes on answers.
--
-- A message counts as a complaint when its intent is 'complaint' or its
-- complaint score is at least 0.6, and as negative when its sentiment is at
-- most -0.4 (the defaults of bot.EngineOptions and storage.SegmentRules).

-- One row per conversation with an annotated inbound message, a handoff or a
-- vote. Created on first need; a conversation without a row has only zeros.
CREATE TABLE insight_conversations (
	conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id),
	annotated   INTEGER NOT NULL DEFAULT 0, -- inbound messages with an intent
	complaints  INTEGER NOT NULL DEFAULT 0, -- ... that are complaints
	negative    INTEGER NOT NULL DEFAULT 0, -- ... that are negative
	purchase    INTEGER NOT NULL DEFAULT 0, -- ... with intent purchase_intent
	handoffs    INTEGER NOT NULL DEFAULT 0, -- times the status went from bot to waiting_human or human
	helpful     INTEGER NOT NULL DEFAULT 0, -- votes on its bot messages
	not_helpful INTEGER NOT NULL DEFAULT 0
);

-- Annotated inbound messages per UTC day (of the message time), channel and
-- intent.
CREATE TABLE insight_days (
	day        TEXT    NOT NULL, -- YYYY-MM-DD
	channel    TEXT    NOT NULL,
	intent     TEXT    NOT NULL,
	messages   INTEGER NOT NULL DEFAULT 0,
	complaints INTEGER NOT NULL DEFAULT 0,
	negative   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (day, channel, intent)
) WITHOUT ROWID;

CREATE TRIGGER insight_annotation AFTER UPDATE OF intent, sentiment, complaint ON messages
WHEN NEW.inbound = 1 AND (OLD.intent IS NOT NEW.intent OR OLD.sentiment IS NOT NEW.sentiment
	OR OLD.complaint IS NOT NEW.complaint)
BEGIN
	-- Take back what an earlier annotation counted (rare: messages are
	-- annotated once).
	UPDATE insight_days SET messages = messages - 1,
		complaints = complaints - (OLD.intent = 'complaint' OR OLD.complaint >= 0.6),
		negative = negative - (OLD.sentiment <= -0.4)
	WHERE OLD.intent <> '' AND day = substr(OLD.time, 1, 10) AND intent = OLD.intent
		AND channel = (SELECT channel FROM conversations WHERE id = OLD.conversation_id);
	UPDATE insight_conversations SET annotated = annotated - 1,
		complaints = complaints - (OLD.intent = 'complaint' OR OLD.complaint >= 0.6),
		negative = negative - (OLD.sentiment <= -0.4),
		purchase = purchase - (OLD.intent = 'purchase_intent')
	WHERE OLD.intent <> '' AND conversation_id = OLD.conversation_id;

	INSERT INTO insight_days (day, channel, intent, messages, complaints, negative)
		SELECT substr(NEW.time, 1, 10), channel, NEW.intent, 1,
			NEW.intent = 'complaint' OR NEW.complaint >= 0.6, NEW.sentiment <= -0.4
		FROM conversations WHERE id = NEW.conversation_id AND NEW.intent <> ''
	ON CONFLICT (day, channel, intent) DO UPDATE SET messages = messages + 1,
		complaints = complaints + excluded.complaints, negative = negative + excluded.negative;
	INSERT INTO insight_conversations (conversation_id, annotated, complaints, negative, purchase)
		SELECT NEW.conversation_id, 1, NEW.intent = 'complaint' OR NEW.complaint >= 0.6,
			NEW.sentiment <= -0.4, NEW.intent = 'purchase_intent'
		WHERE NEW.intent <> ''
	ON CONFLICT (conversation_id) DO UPDATE SET annotated = annotated + 1,
		complaints = complaints + excluded.complaints, negative = negative + excluded.negative,
		purchase = purchase + excluded.purchase;
END;

CREATE TRIGGER insight_handoff AFTER UPDATE OF status ON conversations
WHEN NEW.status IN ('waiting_human', 'human') AND OLD.status NOT IN ('waiting_human', 'human')
BEGIN
	INSERT INTO insight_conversations (conversation_id, handoffs) VALUES (NEW.id, 1)
	ON CONFLICT (conversation_id) DO UPDATE SET handoffs = handoffs + 1;
END;

-- Helpful / not helpful votes on bot messages: one per message and voter
-- (a later vote replaces the earlier one). The voter is kept only as a hash.
CREATE TABLE answer_feedback (
	message_id      INTEGER NOT NULL REFERENCES messages(id),
	voter           TEXT    NOT NULL, -- hex SHA-256 prefix of the voter's id
	conversation_id INTEGER NOT NULL REFERENCES conversations(id),
	channel         TEXT    NOT NULL,
	helpful         INTEGER NOT NULL CHECK (helpful IN (0, 1)),
	time            TEXT    NOT NULL,
	PRIMARY KEY (message_id, voter)
) WITHOUT ROWID;
CREATE INDEX answer_feedback_time ON answer_feedback(time);

-- Fill the rollups from what an older database already holds.
INSERT INTO insight_days (day, channel, intent, messages, complaints, negative)
	SELECT substr(m.time, 1, 10), v.channel, m.intent, count(*),
		sum(m.intent = 'complaint' OR m.complaint >= 0.6), sum(m.sentiment <= -0.4)
	FROM messages m JOIN conversations v ON v.id = m.conversation_id
	WHERE m.inbound = 1 AND m.intent <> ''
	GROUP BY 1, 2, 3;
INSERT INTO insight_conversations (conversation_id, annotated, complaints, negative, purchase)
	SELECT conversation_id, count(*), sum(intent = 'complaint' OR complaint >= 0.6), sum(sentiment <= -0.4),
		sum(intent = 'purchase_intent')
	FROM messages WHERE inbound = 1 AND intent <> ''
	GROUP BY conversation_id;
INSERT INTO insight_conversations (conversation_id, handoffs)
	SELECT v.id, 1 FROM conversations v
	WHERE v.status IN ('waiting_human', 'human')
		OR EXISTS (SELECT 1 FROM escalations e WHERE e.conversation_id = v.id AND e.reason <> 'lead')
		OR EXISTS (SELECT 1 FROM customer_events k WHERE k.conversation_id = v.id AND k.kind = 'taken_over')
	ON CONFLICT (conversation_id) DO UPDATE SET handoffs = 1;

-- A customer's conversations in time order: finds repeats and returning
-- customers without reading conversation rows.
CREATE INDEX conversations_customer_opened ON conversations(customer_id, opened);
