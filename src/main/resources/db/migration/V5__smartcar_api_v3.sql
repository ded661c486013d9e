-- Smartcar API v3: one listing of the application's connections instead of one per owner, and subscriptions that
-- Smartcar may make by itself. Portable SQL: runs on H2 (embedded default) and PostgreSQL.

-- The v3 connection (one user and one vehicle) a vehicle was last listed under: set only by the v3 sync, so a vehicle
-- known from events or from a v2.0 owner is never marked gone by a v3 listing it was never part of.
ALTER TABLE vehicle ADD COLUMN connection_id VARCHAR(100);
-- Who made the subscription: BRIDGE, or SMARTCAR when the webhook subscribes every vehicle by itself (v3 auto-subscribe)
ALTER TABLE vehicle ADD COLUMN subscribed_by VARCHAR(20);

-- The v3 sync's listing of every connection of the application: one row, claimed by one run at a time like a v2.0
-- connection (a claim that outlives claimed_until belonged to an instance that died and may be taken over).
CREATE TABLE connection_listing (
    scope                   VARCHAR(50)              NOT NULL PRIMARY KEY,
    claimed_until           TIMESTAMP WITH TIME ZONE,
    claimed_by              VARCHAR(100),
    -- consecutive failed listings; none is tried before next_sync_at (exponential backoff)
    failure_count           INTEGER                  DEFAULT 0 NOT NULL,
    next_sync_at            TIMESTAMP WITH TIME ZONE,
    last_error              VARCHAR(1000),
    last_error_at           TIMESTAMP WITH TIME ZONE,
    last_synced_at          TIMESTAMP WITH TIME ZONE,
    -- what the last listing found: connections read, and whether the webhook subscribes every vehicle by itself
    listed_connections      INTEGER,
    webhook_auto_subscribe  BOOLEAN,
    updated_at              TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);

INSERT INTO connection_listing (scope) VALUES ('connections');
