-- Version 7: console sessions ended by sign-out, kept until they would have
-- expired anyway, so that a signed-out cookie stays signed out after a
-- restart (they were kept in memory before).
CREATE TABLE revoked_sessions (
	id      BLOB PRIMARY KEY,
	expires TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX revoked_sessions_expires ON revoked_sessions(expires);
