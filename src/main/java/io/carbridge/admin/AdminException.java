package io.carbridge.admin;

/** An admin call that cannot be served as asked: its status and a short message for the JSON error body. */
public final class AdminException extends RuntimeException {

    private final int status;

    public AdminException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static AdminException notFound(String what) {
        return new AdminException(404, what + " not found");
    }

    public static AdminException badRequest(String message) {
        return new AdminException(400, message);
    }
}
