package io.carbridge.check;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

import org.apache.commons.text.similarity.LevenshteinDistance;

/** The valid name nearest to a misspelt one, so that a problem can say what was probably meant. */
final class Suggestions {

    private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

    private Suggestions() {
    }

    /**
     * The candidate nearest to {@code name} (ignoring case), if it is near enough to be a slip of the keyboard: at most
     * a third of the name's letters differ (at least one may).
     */
    static Optional<String> nearest(String name, Collection<String> candidates) {
        String lower = name.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = DISTANCE.apply(lower, candidate.toLowerCase(Locale.ROOT));
            // between two as near, the one that starts like the name: htp is http rather than ftp
            if (distance < bestDistance || distance == bestDistance && commonPrefix(lower, candidate) > commonPrefix(lower, best)) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= Math.max(1, name.length() / 3) ? Optional.of(best) : Optional.empty();
    }

    /**
     * Whether {@code name} looks like a misspelling of one of the candidates rather than a name of its own: one letter in
     * four at most differs, two at most, and it is not the candidate itself in another case (Camel accepts that).
     */
    static Optional<String> misspeltOf(String name, Collection<String> candidates) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String candidate : candidates) {
            if (candidate.toLowerCase(Locale.ROOT).equals(lower)) {
                return Optional.empty();
            }
        }
        return nearest(name, candidates).filter(candidate -> {
            int distance = DISTANCE.apply(lower, candidate.toLowerCase(Locale.ROOT));
            return distance <= 2 && distance <= Math.max(1, name.length() / 4);
        });
    }

    private static int commonPrefix(String lower, String candidate) {
        String other = candidate.toLowerCase(Locale.ROOT);
        int length = 0;
        while (length < lower.length() && length < other.length() && lower.charAt(length) == other.charAt(length)) {
            length++;
        }
        return length;
    }

    /** {@code " (did you mean x?)"}, or nothing. */
    static String didYouMean(Optional<String> suggestion) {
        return suggestion.map(value -> " (did you mean " + value + "?)").orElse("");
    }
}
