-- Version 2: the per-message counters of conversations and customers are kept
-- by a trigger, inside SQLite, so that an append costs one statement from Go.

CREATE TRIGGER messages_counters AFTER INSERT ON messages BEGIN
	UPDATE conversations SET
		message_count  = message_count + 1,
		last_message   = max(coalesce(last_message, ''), NEW.time),
		first_response = CASE WHEN first_response IS NULL AND NEW.author IN ('bot', 'agent') THEN NEW.time
		                      ELSE first_response END
	WHERE id = NEW.conversation_id;
	UPDATE customers SET
		inbound_count  = inbound_count + NEW.inbound,
		outbound_count = outbound_count + 1 - NEW.inbound,
		last_seen      = CASE WHEN NEW.inbound = 1 THEN max(coalesce(last_seen, ''), NEW.time) ELSE last_seen END
	WHERE id = NEW.customer_id;
END;

-- A customer has at most one open conversation per channel; the lookup needs
-- no ORDER BY (which made SQLite walk the table backwards).
DROP INDEX conversations_open;
CREATE UNIQUE INDEX conversations_open ON conversations(customer_id, channel) WHERE status <> 'resolved';
