/**
 * The database: the connection pool and the Flyway migrations (H2 by default, PostgreSQL in production), group commit,
 * instants in SQL, the canonical event every envelope becomes, and the intake's counts per minute behind the console's
 * charts (table {@code intake_count}).
 */
package io.carbridge.storage;
