package io.carbridge.smartcar;

import java.sql.SQLException;
import java.util.function.ToIntFunction;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/** What the stores of this package share: unique-key violations, upserts and bounded error texts. */
final class Sql {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final int ERROR_COLUMN_LENGTH = 1000;

    private Sql() {}

    /** Whether another writer inserted the same key first (SQLState 23505 on H2 and PostgreSQL). */
    static boolean isUniqueViolation(DataAccessException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Updates the row, or inserts it when there is none; when another writer inserted it in between (a unique-key
     * violation), updates it after all.
     *
     * @param update the UPDATE, returning how many rows it changed (0: no row, or none that needed a change)
     */
    static void upsert(
            NamedParameterJdbcTemplate jdbc,
            MapSqlParameterSource row,
            ToIntFunction<MapSqlParameterSource> update,
            String insert) {
        if (update.applyAsInt(row) == 0) {
            try {
                jdbc.update(insert, row);
            } catch (DataAccessException e) {
                if (!isUniqueViolation(e)) {
                    throw e;
                }
                update.applyAsInt(row);
            }
        }
    }

    static String errorText(String text) {
        return text == null || text.length() <= ERROR_COLUMN_LENGTH ? text : text.substring(0, ERROR_COLUMN_LENGTH);
    }
}
