-- H2 only (db/vendor/h2). H2 writes an identity's state to its catalog, in a commit of its own, every CACHE values:
-- with the default 32 that is one extra commit for every 32 deliveries and every 32 attempts. H2's cache belongs to the
-- database, not to a session, so ids stay increasing in insert order; a crash only skips the unused rest of a cache.
-- Not for PostgreSQL, whose sequence cache is per connection and would break that order (and which needs no such help).
ALTER TABLE delivery ALTER COLUMN id SET CACHE 1000;
ALTER TABLE delivery_attempt ALTER COLUMN id SET CACHE 1000;
