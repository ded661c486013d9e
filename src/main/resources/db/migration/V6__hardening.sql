-- Hardening (issue 10). Portable SQL: runs on H2 (embedded default) and PostgreSQL.

-- A delivery whose time could not be read or stored (unparseable, or outside the years 1 to 9999, such as
-- deliveredAt: -1e18) is kept as received, without an event time, and flagged here rather than refused: a refusal
-- would make Smartcar retry it and then drop it for good.
ALTER TABLE webhook_event ADD COLUMN event_time_unreadable BOOLEAN DEFAULT FALSE NOT NULL;

-- When Smartcar confirmed the vehicle's subscription: the first VEHICLE_STATE triggered by FIRST_DELIVERY (sent once a
-- subscription is in place), or the first one after a new subscription (subscribed_at later than this).
ALTER TABLE vehicle ADD COLUMN subscription_confirmed_at TIMESTAMP WITH TIME ZONE;
