package io.carbridge.storage;

/** The database cannot take the event now; the intake answers 503 so that Smartcar delivers it again. */
public final class StorageUnavailableException extends RuntimeException {
    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether a failure means the database cannot be reached now (answer 503: try again later) rather than a fault
     * (500): this exception, a refused or timed-out connection, or a connection error (SQL state class 08).
     */
    public static boolean isCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof StorageUnavailableException
                    || cause instanceof java.sql.SQLTransientConnectionException
                    || cause instanceof org.springframework.dao.DataAccessResourceFailureException
                    || cause instanceof java.sql.SQLException sql
                            && sql.getSQLState() != null
                            && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }
}
