-- PostgreSQL only (db/vendor/postgresql; H2 has no partial index). The claim asks, for every candidate, whether an
-- earlier delivery of the same vehicle is still open (PENDING or IN_FLIGHT). This index holds only open deliveries, so
-- that question is one seek however long the history is. Without it, and before the table has statistics, PostgreSQL
-- answered it by scanning every pending delivery of the destination for each candidate: a drain of 18 events/s on a
-- backlog of 30,000 instead of a few thousand.
CREATE INDEX delivery_open_order_idx ON delivery (destination, ordering_key, id) WHERE status IN ('PENDING', 'IN_FLIGHT');
