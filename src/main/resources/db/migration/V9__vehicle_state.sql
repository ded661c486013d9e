-- Vehicle state (issue 22): the latest value of every signal of every vehicle, Smartcar's repeated errors folded, and
-- gaps filled from Smartcar after an outage. Portable SQL: runs on H2 (embedded default) and PostgreSQL.

-- The latest state of each signal of each vehicle, written by the intake in the transaction that stores the event that
-- brought it (one statement per committed batch). An older time never overwrites a newer one, whatever order the
-- events arrive in; an error is kept apart from the last good value, which it does not erase. Read as "the latest state
-- of every signal of a vehicle" by the primary key's first column.
CREATE TABLE vehicle_signal (
    vehicle_id      VARCHAR(100)             NOT NULL,
    -- Smartcar's signal code, such as tractionbattery-stateofcharge
    code            VARCHAR(100)             NOT NULL,
    -- the last good value: the signal's body as JSON ({"value": 78, "unit": "percent"}, ...) and its unit
    value_json      VARCHAR(1000000),
    unit            VARCHAR(100),
    -- the order of values: oemUpdatedAt, or fetchedAt when the signal gave none; the value with the latest one is kept
    value_at        TIMESTAMP WITH TIME ZONE,
    -- the value's own times as Smartcar gave them, and the event that brought it
    oem_updated_at  TIMESTAMP WITH TIME ZONE,
    fetched_at      TIMESTAMP WITH TIME ZONE,
    value_event_id  VARCHAR(200),
    -- the last error Smartcar reported for the signal (its status.error as JSON, type and code), when (its own time, or
    -- that of the state it came with) and in which event; current while error_at is not before value_at
    error_json      VARCHAR(1000000),
    error_type      VARCHAR(100),
    error_code      VARCHAR(100),
    error_at        TIMESTAMP WITH TIME ZONE,
    error_event_id  VARCHAR(200),
    -- when the row last changed
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (vehicle_id, code)
);

-- Smartcar's repeats of an error: per user, vehicle and error types and codes, the VEHICLE_ERROR that was forwarded
-- last, its errors' states, and until when a copy of it (same states) is a repeat, stored without deliveries.
-- Written by the intake in the event's own transaction.
CREATE TABLE error_repeat (
    -- SHA-256 (hex) of the user, the vehicle and the errors' types and codes
    repeat_key      VARCHAR(64)              NOT NULL PRIMARY KEY,
    first_event_id  VARCHAR(200)             NOT NULL,
    -- SHA-256 (hex) of the errors' states: an error that changes state (ERROR, RESOLVED) is not a repeat
    error_states    VARCHAR(64)              NOT NULL,
    -- when Smartcar delivered that first event, and that time plus bridge.intake.error-dedupe-window
    first_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    repeats_until   TIMESTAMP WITH TIME ZONE NOT NULL
);

-- An event stored as a repeat of an earlier VEHICLE_ERROR (its event id): kept, never forwarded.
ALTER TABLE webhook_event ADD COLUMN repeat_of VARCHAR(200);
-- A signal of the event gave a time that could not be read: that signal was not applied to the state.
ALTER TABLE webhook_event ADD COLUMN signal_time_unreadable BOOLEAN DEFAULT FALSE NOT NULL;

-- When each instance last said it was running (every bridge.reconcile.heartbeat-interval). The newest of them, read
-- at start, is when the bridge was last known to be up: a longer gap than Smartcar's retries cover has lost events.
CREATE TABLE bridge_heartbeat (
    instance_id  VARCHAR(100)             NOT NULL PRIMARY KEY,
    beat_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The reconciliation of the subscribed vehicles' signals with Smartcar (v3): one row, claimed by one run at a time
-- across the instances (a claim that outlives claimed_until belonged to an instance that died), with the progress and
-- outcome of the last run.
CREATE TABLE vehicle_reconciliation (
    scope             VARCHAR(50)              NOT NULL PRIMARY KEY,
    claimed_until     TIMESTAMP WITH TIME ZONE,
    claimed_by        VARCHAR(100),
    -- what started the last run: downtime (at start, after a gap) or operator (POST /admin/vehicles/reconcile)
    run_trigger       VARCHAR(20),
    -- downtime: when the bridge was last known to be up before it started
    down_since        TIMESTAMP WITH TIME ZONE,
    started_at        TIMESTAMP WITH TIME ZONE,
    finished_at       TIMESTAMP WITH TIME ZONE,
    vehicles_total    INTEGER,
    vehicles_read     INTEGER,
    signals_newer     INTEGER,
    events_stored     INTEGER,
    failures          INTEGER,
    last_error        VARCHAR(1000),
    updated_at        TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);

INSERT INTO vehicle_reconciliation (scope) VALUES ('signals');
