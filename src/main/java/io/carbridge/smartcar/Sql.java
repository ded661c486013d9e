package io.carbridge.smartcar;

import java.sql.SQLException;

import org.springframework.dao.DataAccessException;

/** What the stores of this package share: unique-key violations and bounded error texts. */
final class Sql {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final int ERROR_COLUMN_LENGTH = 1000;

    private Sql() {
    }

    /** Whether another writer inserted the same key first (SQLState 23505 on H2 and PostgreSQL). */
    static boolean isUniqueViolation(DataAccessException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    static String errorText(String text) {
        return text == null || text.length() <= ERROR_COLUMN_LENGTH ? text : text.substring(0, ERROR_COLUMN_LENGTH);
    }
}
