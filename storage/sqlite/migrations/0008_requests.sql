-- Version 8: keyed requests (a widget message's client id, a REST message's
-- Idempotency-Key or client_id). The request that claims a key handles it
-- and records its outcome; a retry replays the outcome. The inbound message
-- stored for the key is remembered in the same transaction that stores it,
-- so that a retry after a crash (claimed, stored, never answered) neither
-- stores the message nor its reply a second time. Rows older than a day are
-- removed by maintenance; erasing a customer removes theirs.
CREATE TABLE requests (
	key        TEXT    PRIMARY KEY,
	holder     TEXT    NOT NULL, -- the process handling it; '' once abandoned
	status     INTEGER,          -- the outcome, once finished
	body       BLOB,
	message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
	created    TEXT    NOT NULL
);
CREATE INDEX requests_created ON requests(created);
CREATE INDEX requests_message ON requests(message_id) WHERE message_id IS NOT NULL;
