-- Concierge schema, version 1. Times are UTC text in the fixed-width form
-- 2006-01-02T15:04:05.000000Z, so text order is time order.

CREATE TABLE customers (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL DEFAULT '',
	email         TEXT    NOT NULL DEFAULT '', -- normalised: trimmed, lower-case
	phone         TEXT    NOT NULL DEFAULT '', -- normalised: digits with an optional leading +
	language      TEXT    NOT NULL DEFAULT '',
	role          TEXT    NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'employee')),
	segment       TEXT    NOT NULL DEFAULT 'new',
	stage         TEXT    NOT NULL DEFAULT '' CHECK (stage IN ('', 'new', 'contacted', 'qualified', 'won', 'lost')),
	owner         TEXT    NOT NULL DEFAULT '',
	vip           INTEGER NOT NULL DEFAULT 0,
	inbound_count INTEGER NOT NULL DEFAULT 0,  -- anonymous counts, kept after erase
	outbound_count INTEGER NOT NULL DEFAULT 0,
	complaint_count INTEGER NOT NULL DEFAULT 0,
	at_risk_until TEXT,
	last_seen     TEXT,
	merged_into   INTEGER REFERENCES customers(id),
	created       TEXT    NOT NULL,
	updated       TEXT    NOT NULL,
	erased        TEXT
);
CREATE INDEX customers_email ON customers(email) WHERE email <> '';
CREATE INDEX customers_phone ON customers(phone) WHERE phone <> '';
CREATE INDEX customers_segment ON customers(segment, id);
CREATE INDEX customers_stage ON customers(stage, id);
CREATE INDEX customers_merged_into ON customers(merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE channel_identities (
	id          INTEGER PRIMARY KEY,
	customer_id INTEGER NOT NULL REFERENCES customers(id),
	channel     TEXT    NOT NULL,
	external_id TEXT    NOT NULL,
	created     TEXT    NOT NULL,
	UNIQUE (channel, external_id)
);
CREATE INDEX channel_identities_customer ON channel_identities(customer_id);

CREATE TABLE conversations (
	id             INTEGER PRIMARY KEY,
	customer_id    INTEGER NOT NULL REFERENCES customers(id),
	channel        TEXT    NOT NULL,
	status         TEXT    NOT NULL DEFAULT 'bot' CHECK (status IN ('bot', 'waiting_human', 'human', 'resolved')),
	assignee       TEXT    NOT NULL DEFAULT '',
	opened         TEXT    NOT NULL,
	closed         TEXT,
	first_response TEXT,
	last_message   TEXT,
	message_count  INTEGER NOT NULL DEFAULT 0,
	csat           INTEGER CHECK (csat BETWEEN 1 AND 5)
);
CREATE INDEX conversations_customer ON conversations(customer_id, id);
CREATE INDEX conversations_open ON conversations(customer_id, channel, id) WHERE status <> 'resolved';
CREATE INDEX conversations_status ON conversations(status, id);
CREATE INDEX conversations_opened ON conversations(opened);

CREATE TABLE messages (
	id              INTEGER PRIMARY KEY,
	conversation_id INTEGER NOT NULL REFERENCES conversations(id),
	customer_id     INTEGER NOT NULL REFERENCES customers(id),
	inbound         INTEGER NOT NULL CHECK (inbound IN (0, 1)),
	author          TEXT    NOT NULL CHECK (author IN ('customer', 'bot', 'agent', 'system')),
	author_name     TEXT    NOT NULL DEFAULT '', -- the agent for agent messages
	text            TEXT    NOT NULL,
	intent          TEXT    NOT NULL DEFAULT '',
	confidence      REAL    NOT NULL DEFAULT 0,
	language        TEXT    NOT NULL DEFAULT '',
	sentiment       REAL    NOT NULL DEFAULT 0,
	complaint       REAL    NOT NULL DEFAULT 0,
	action          TEXT    NOT NULL DEFAULT '',
	sources         TEXT,                       -- JSON array of bot.Source, NULL when none
	reply_to        INTEGER REFERENCES messages(id),
	redacted        INTEGER NOT NULL DEFAULT 0, -- text removed by erase or retention
	time            TEXT    NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);
CREATE INDEX messages_customer ON messages(customer_id, time, id);
CREATE INDEX messages_time ON messages(time);

CREATE TABLE escalations (
	id              INTEGER PRIMARY KEY,
	conversation_id INTEGER NOT NULL REFERENCES conversations(id),
	customer_id     INTEGER NOT NULL REFERENCES customers(id),
	message_id      INTEGER REFERENCES messages(id), -- the inbound message that caused it
	reason          TEXT    NOT NULL,
	severity        TEXT    NOT NULL CHECK (severity IN ('low', 'normal', 'high')),
	summary         TEXT    NOT NULL DEFAULT '',
	status          TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
	assignee        TEXT    NOT NULL DEFAULT '',
	created         TEXT    NOT NULL,
	acknowledged    TEXT,
	resolved        TEXT
);
CREATE INDEX escalations_status ON escalations(status, created);
CREATE INDEX escalations_conversation ON escalations(conversation_id);
CREATE INDEX escalations_customer ON escalations(customer_id);

CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	kind            TEXT    NOT NULL,
	customer_id     INTEGER REFERENCES customers(id), -- so erase can remove what names a customer
	payload         TEXT    NOT NULL,                 -- JSON
	idempotency_key TEXT    NOT NULL UNIQUE,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt    TEXT    NOT NULL,
	last_error      TEXT    NOT NULL DEFAULT '',
	created         TEXT    NOT NULL,
	delivered       TEXT,
	dead            INTEGER NOT NULL DEFAULT 0        -- given up after too many attempts
);
CREATE INDEX outbox_pending ON outbox(next_attempt) WHERE delivered IS NULL AND dead = 0;
CREATE INDEX outbox_customer ON outbox(customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE customer_events (
	id              INTEGER PRIMARY KEY,
	customer_id     INTEGER NOT NULL REFERENCES customers(id),
	conversation_id INTEGER REFERENCES conversations(id),
	kind            TEXT    NOT NULL,
	detail          TEXT    NOT NULL DEFAULT '{}', -- JSON; never customer text
	actor           TEXT    NOT NULL DEFAULT '',
	time            TEXT    NOT NULL
);
CREATE INDEX customer_events_customer ON customer_events(customer_id, time, id);
CREATE INDEX customer_events_kind ON customer_events(kind, time);

CREATE TABLE knowledge_gaps (
	id         INTEGER PRIMARY KEY,
	question   TEXT    NOT NULL UNIQUE, -- normalised customer question
	language   TEXT    NOT NULL DEFAULT '',
	count      INTEGER NOT NULL DEFAULT 0,
	first_seen TEXT    NOT NULL,
	last_seen  TEXT    NOT NULL
);
CREATE INDEX knowledge_gaps_count ON knowledge_gaps(count DESC, last_seen DESC);

CREATE TABLE knowledge_gap_messages (
	gap_id      INTEGER NOT NULL REFERENCES knowledge_gaps(id) ON DELETE CASCADE,
	message_id  INTEGER NOT NULL REFERENCES messages(id),
	customer_id INTEGER NOT NULL REFERENCES customers(id),
	PRIMARY KEY (gap_id, message_id)
) WITHOUT ROWID;
CREATE INDEX knowledge_gap_messages_customer ON knowledge_gap_messages(customer_id);
CREATE INDEX knowledge_gap_messages_message ON knowledge_gap_messages(message_id);

CREATE TABLE tags (
	customer_id INTEGER NOT NULL REFERENCES customers(id),
	tag         TEXT    NOT NULL,
	created     TEXT    NOT NULL,
	PRIMARY KEY (customer_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags(tag);

CREATE TABLE notes (
	id              INTEGER PRIMARY KEY,
	customer_id     INTEGER NOT NULL REFERENCES customers(id),
	conversation_id INTEGER REFERENCES conversations(id),
	author          TEXT    NOT NULL,
	text            TEXT    NOT NULL,
	created         TEXT    NOT NULL
);
CREATE INDEX notes_customer ON notes(customer_id, created);
