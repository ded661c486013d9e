-- Traces (issue 25): the W3C trace context (traceparent, 00-<trace id>-<span id>-<flags>) of the intake span that
-- stored the event, written in the intake's own transaction when tracing is on. Each delivery attempt's span is a
-- child of it, whichever instance makes the attempt and however long after (a restart, a retry hours later, a replay),
-- so the whole life of an event is one trace. NULL: stored while tracing was off; its attempts start traces of their own.
-- Portable SQL: runs on H2 (embedded default) and PostgreSQL.
ALTER TABLE webhook_event ADD COLUMN trace_parent VARCHAR(55);
