-- The intake's outcomes per minute, for the console's charts (GET /admin/stats): read from here, they stay true across
-- restarts and across instances. Each instance adds what it counted to its own row every
-- bridge.intake.counts-flush-interval, off the request path; the admin API sums the instances. Portable SQL.
CREATE TABLE intake_count (
    -- the start of the minute the deliveries were answered in (UTC, whole minute)
    minute_start  TIMESTAMP WITH TIME ZONE NOT NULL,
    -- bridge.instance-id of the instance that counted them
    instance_id   VARCHAR(100)             NOT NULL,
    accepted      BIGINT                   NOT NULL,
    duplicate     BIGINT                   NOT NULL,
    rejected      BIGINT                   NOT NULL,
    unrecognised  BIGINT                   NOT NULL,
    PRIMARY KEY (minute_start, instance_id)
);
