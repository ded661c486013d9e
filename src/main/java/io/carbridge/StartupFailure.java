package io.carbridge;

/**
 * Something that stops the service at start and that an operator fixes outside it (a setting, a directory, a damaged
 * database file): its message is the one line the service logs before it exits, without a stack trace.
 */
public class StartupFailure extends IllegalStateException {

    public StartupFailure(String message) {
        super(message);
    }
}
