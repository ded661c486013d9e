-- A Smartcar user who connected through /connect: the tokens are AES-GCM encrypted (TOKEN_ENCRYPTION_KEY).
CREATE TABLE smartcar_connection (
    user_id                VARCHAR(100)             NOT NULL PRIMARY KEY,
    -- the integrating company's own customer id, carried through Connect in the state parameter
    customer_reference     VARCHAR(200),
    mode                   VARCHAR(20),
    access_token_enc       VARCHAR(4000)            NOT NULL,
    refresh_token_enc      VARCHAR(4000)            NOT NULL,
    access_expires_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    refresh_expires_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    -- ACTIVE, or NEEDS_REAUTHORIZATION once Smartcar refused the refresh token
    status                 VARCHAR(30)              NOT NULL,
    status_reason          VARCHAR(1000),
    -- a refresh in progress: only one instance refreshes a connection at a time
    refresh_claimed_until  TIMESTAMP WITH TIME ZONE,
    refresh_claimed_by     VARCHAR(100),
    created_at             TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at             TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The Connect state parameter: single use, expiring, carrying the customer reference.
CREATE TABLE connect_state (
    state               VARCHAR(100)             NOT NULL PRIMARY KEY,
    customer_reference  VARCHAR(200),
    mode                VARCHAR(20)              NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at             TIMESTAMP WITH TIME ZONE
);

-- Vehicles known to the bridge: from the subscription sync (attributes, subscription state) and from the
-- data.vehicle block of current-format events. Only vehicle_id is required.
CREATE TABLE vehicle (
    vehicle_id           VARCHAR(100)             NOT NULL PRIMARY KEY,
    user_id              VARCHAR(100),
    make                 VARCHAR(100),
    model                VARCHAR(100),
    model_year           INTEGER,
    -- NONE (not subscribed), SUBSCRIBING (claimed by an instance), SUBSCRIBED, FAILED, GONE
    subscription_status  VARCHAR(30)              DEFAULT 'NONE' NOT NULL,
    subscribed_at        TIMESTAMP WITH TIME ZONE,
    claimed_until        TIMESTAMP WITH TIME ZONE,
    claimed_by           VARCHAR(100),
    failure_count        INTEGER                  DEFAULT 0 NOT NULL,
    next_attempt_at      TIMESTAMP WITH TIME ZONE,
    last_error           VARCHAR(1000),
    last_error_at        TIMESTAMP WITH TIME ZONE,
    gone_at              TIMESTAMP WITH TIME ZONE,
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX vehicle_user_idx ON vehicle (user_id);
