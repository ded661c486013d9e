-- Smartcar Connect and the subscription sync. Portable SQL: runs on H2 (embedded default) and PostgreSQL.
-- Every time is a parameter written by the bridge (never the database clock), so that instances agree on what is due.

-- A Smartcar user who connected through /connect. The tokens are AES-GCM encrypted (TOKEN_ENCRYPTION_KEY) and never
-- leave the bridge. Only user_id is required: the delivery enrichment reads user_id and customer_reference.
CREATE TABLE smartcar_connection (
    user_id                VARCHAR(100)             NOT NULL PRIMARY KEY,
    -- the integrating company's own customer id, carried through Connect in the state parameter
    customer_reference     VARCHAR(200),
    mode                   VARCHAR(20),
    access_token_enc       VARCHAR(4000),
    refresh_token_enc      VARCHAR(4000),
    access_expires_at      TIMESTAMP WITH TIME ZONE,
    refresh_expires_at     TIMESTAMP WITH TIME ZONE,
    -- ACTIVE, or NEEDS_REAUTHORIZATION once Smartcar refused the refresh token (the owner must connect again)
    status                 VARCHAR(30)              DEFAULT 'ACTIVE' NOT NULL,
    status_reason          VARCHAR(1000),
    -- the sync of this connection (listing, token refresh, subscribing) runs on one instance at a time; a claim that
    -- outlives claimed_until belonged to an instance that died and may be taken over
    claimed_until          TIMESTAMP WITH TIME ZONE,
    claimed_by             VARCHAR(100),
    -- consecutive failures of the listing; the connection is left alone until next_sync_at (exponential backoff)
    failure_count          INTEGER                  DEFAULT 0 NOT NULL,
    next_sync_at           TIMESTAMP WITH TIME ZONE,
    last_error             VARCHAR(1000),
    last_error_at          TIMESTAMP WITH TIME ZONE,
    last_synced_at         TIMESTAMP WITH TIME ZONE,
    created_at             TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);

CREATE INDEX smartcar_connection_status_idx ON smartcar_connection (status, next_sync_at);

-- The Connect state parameter: single use (used_at), expiring, carrying the customer reference.
CREATE TABLE connect_state (
    state               VARCHAR(100)             NOT NULL PRIMARY KEY,
    customer_reference  VARCHAR(200),
    mode                VARCHAR(20)              NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at             TIMESTAMP WITH TIME ZONE
);

CREATE INDEX connect_state_expires_idx ON connect_state (expires_at);

-- Vehicles known to the bridge: from the subscription sync (attributes, subscription state) and from the
-- data.vehicle block of current-format events. Only vehicle_id (and updated_at, defaulted) is required.
CREATE TABLE vehicle (
    vehicle_id           VARCHAR(100)             NOT NULL PRIMARY KEY,
    user_id              VARCHAR(100),
    make                 VARCHAR(100),
    model                VARCHAR(100),
    model_year           INTEGER,
    -- NONE (not subscribed yet), SUBSCRIBING (claimed by an instance), SUBSCRIBED, FAILED (refused: 403 or 430, not
    -- retried), GONE (no longer in its connection's list), UNSUBSCRIBED (by an operator; the sync leaves it alone)
    subscription_status  VARCHAR(30)              DEFAULT 'NONE' NOT NULL,
    subscribed_at        TIMESTAMP WITH TIME ZONE,
    claimed_until        TIMESTAMP WITH TIME ZONE,
    claimed_by           VARCHAR(100),
    -- consecutive transient failures; the vehicle is not tried again before next_attempt_at (exponential backoff)
    failure_count        INTEGER                  DEFAULT 0 NOT NULL,
    next_attempt_at      TIMESTAMP WITH TIME ZONE,
    last_error           VARCHAR(1000),
    last_error_at        TIMESTAMP WITH TIME ZONE,
    gone_at              TIMESTAMP WITH TIME ZONE,
    updated_at           TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);

CREATE INDEX vehicle_user_idx ON vehicle (user_id);
CREATE INDEX vehicle_status_idx ON vehicle (subscription_status);

-- Smartcar answered 429: no instance calls the API again before paused_until (its retry-after). One row per scope.
CREATE TABLE smartcar_rate_limit (
    scope         VARCHAR(50)              NOT NULL PRIMARY KEY,
    paused_until  TIMESTAMP WITH TIME ZONE NOT NULL,
    reason        VARCHAR(1000)
);
