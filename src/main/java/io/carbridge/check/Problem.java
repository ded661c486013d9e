package io.carbridge.check;

/**
 * One mistake found by a check, printed as one line: where it is ({@code routes/x.camel.yaml:12}, or a setting such as
 * {@code bridge.destination.crm.url}), then what is wrong.
 *
 * @param where the file and line, or the setting
 * @param message what is wrong, and where it helps, what was probably meant
 */
public record Problem(String where, String message) {

    public Problem {
        // one line each, whatever a value quoted in it holds: the list is read line by line
        where = oneLine(where);
        message = oneLine(message);
    }

    /** A problem at a line of a route file; {@code line} counts from 1. */
    public static Problem at(String file, int line, String message) {
        return new Problem(file + ":" + line, message);
    }

    @Override
    public String toString() {
        return where + ": " + message;
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
