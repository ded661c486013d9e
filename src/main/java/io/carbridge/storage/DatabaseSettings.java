package io.carbridge.storage;

import io.carbridge.Setting;
import java.time.Duration;

/** The database's settings, {@code bridge.db.*}; {@link Database} opens the pool with them. */
public final class DatabaseSettings {

    @Setting(
            value =
                    "JDBC URL; H2 (embedded; a server or `AUTO_SERVER` URL is refused) or PostgreSQL. On H2 the bridge adds "
                            + "`WRITE_DELAY=0` and `DB_CLOSE_ON_EXIT=FALSE`, and refuses other values of them",
            defaultText = "(required)")
    String url;

    @Setting("Database user")
    String user = "";

    @Setting(value = "Database password", defaultText = "(empty)")
    String password = "";

    @Setting(value = "Connections in the pool", min = 2, max = 500)
    int poolSize = 16;

    @Setting(
            "Longest wait for a database connection; when the database is down, the intake answers 503 after at most this")
    Duration connectionTimeout = Duration.ofSeconds(5);
}
