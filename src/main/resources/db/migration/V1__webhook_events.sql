-- Every Smartcar delivery the bridge acknowledged, one row per event id. The primary key on event_id is the
-- deduplication: two copies of one event arriving at the same moment still store one row.
-- Portable SQL: runs on H2 (embedded default) and PostgreSQL.
CREATE TABLE webhook_event (
    event_id          VARCHAR(200)             NOT NULL PRIMARY KEY,
    event_type        VARCHAR(100)             NOT NULL,
    -- false for a signed delivery whose envelope or type the bridge does not know: stored, never forwarded
    recognised        BOOLEAN                  NOT NULL,
    vehicle_id        VARCHAR(100),
    event_time        TIMESTAMP WITH TIME ZONE,
    mode              VARCHAR(20),
    webhook_id        VARCHAR(100),
    envelope_version  VARCHAR(20),
    received_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    -- the request body exactly as received, the bytes the signature covered
    raw_body          BYTEA                    NOT NULL
);

CREATE INDEX webhook_event_received_idx ON webhook_event (received_at);
CREATE INDEX webhook_event_vehicle_idx ON webhook_event (vehicle_id, received_at);
CREATE INDEX webhook_event_recognised_idx ON webhook_event (recognised, received_at);
