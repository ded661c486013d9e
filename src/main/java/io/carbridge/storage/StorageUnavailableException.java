package io.carbridge.storage;

/** The database cannot take the event now; the intake answers 503 so that Smartcar delivers it again. */
public final class StorageUnavailableException extends RuntimeException {
    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
