-- Version 2: what several `concierge serve` replicas on one database must
-- agree on, kept where they all see it.

-- Keyed requests (a widget message's client id, an API Idempotency-Key, a
-- Slack message): the replica that claims a key handles the request under a
-- lease and records its outcome; a retry on any replica replays it. The
-- inbound message stored for the key is remembered in the same transaction
-- that stores it, so a replica that takes over after a crash never stores
-- it twice.
CREATE TABLE requests (
	key             text COLLATE "C" PRIMARY KEY,
	holder          text COLLATE "C" NOT NULL,
	lease_until     timestamptz NOT NULL,
	status          integer,          -- the outcome, once finished
	body            bytea,
	message_id      bigint REFERENCES messages(id) ON DELETE SET NULL,
	created         timestamptz NOT NULL
);
CREATE INDEX requests_created ON requests(created);

-- Named leases: the Slack Socket Mode connection, maintenance rounds.
CREATE TABLE leases (
	name    text COLLATE "C" PRIMARY KEY,
	holder  text COLLATE "C" NOT NULL,
	expires timestamptz NOT NULL
);

-- Secrets every replica must share when the config names none (the keys
-- that sign visitor tokens and console sessions).
CREATE TABLE secrets (
	name    text COLLATE "C" PRIMARY KEY,
	value   bytea NOT NULL,
	created timestamptz NOT NULL
);

-- Token buckets of the limits that must hold across replicas (sign-in
-- failures per client address and agent name).
CREATE TABLE rate_buckets (
	scope  text COLLATE "C" NOT NULL,
	key    text COLLATE "C" NOT NULL,
	tokens double precision NOT NULL,
	last   timestamptz NOT NULL,
	PRIMARY KEY (scope, key)
);
CREATE INDEX rate_buckets_last ON rate_buckets(last);

-- Console sessions ended by sign-out, until they would have expired.
CREATE TABLE revoked_sessions (
	id      bytea PRIMARY KEY,
	expires timestamptz NOT NULL
);
CREATE INDEX revoked_sessions_expires ON revoked_sessions(expires);
