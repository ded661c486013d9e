package io.carbridge.outbox;

import java.util.List;

/**
 * Exception types, by name, simple ({@code RecordTooLargeException}) or qualified: a failure matches when it, or any of
 * its causes, is of one of them or of a subclass. Matched by name, so that a list may name the classes of a component
 * that is not in the build.
 */
public record FailureList(List<String> names) {

    public FailureList {
        names = List.copyOf(names);
    }

    /** The first name that matches the failure, or null. */
    public String match(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            for (Class<?> type = cause.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
                for (String name : names) {
                    if (name.equals(type.getName()) || name.equals(type.getSimpleName())) {
                        return name;
                    }
                }
            }
        }
        return null;
    }

    public FailureList plus(List<String> more) {
        return new FailureList(java.util.stream.Stream.concat(names.stream(), more.stream())
                .distinct()
                .toList());
    }
}
