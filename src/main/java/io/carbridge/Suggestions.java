package io.carbridge;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.text.similarity.LevenshteinDistance;

/** The valid name nearest to a misspelt one, so that a problem can say what was probably meant. */
public final class Suggestions {

    private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

    private Suggestions() {}

    /**
     * The candidate nearest to {@code name} (ignoring case and dashes), if it is near enough to be a slip of the
     * keyboard: at most a third of the name's letters differ (two may in a short one). Between two as near, one with
     * the same letters ({@code ulr} is {@code url}, not {@code uri}), then the one that starts like the name
     * ({@code htp} is {@code http} rather than {@code ftp}).
     */
    public static Optional<String> nearest(String name, Collection<String> candidates) {
        String typed = normalised(name);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = DISTANCE.apply(typed, normalised(candidate));
            if (distance < bestDistance || distance == bestDistance && closer(typed, candidate, best)) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= Math.max(2, name.length() / 3) ? Optional.of(best) : Optional.empty();
    }

    private static boolean closer(String typed, String candidate, String best) {
        boolean sameLetters = letters(typed).equals(letters(normalised(candidate)));
        boolean bestSameLetters = letters(typed).equals(letters(normalised(best)));
        if (sameLetters != bestSameLetters) {
            return sameLetters;
        }
        return commonPrefix(typed, candidate) > commonPrefix(typed, best);
    }

    private static String letters(String text) {
        char[] letters = text.toCharArray();
        Arrays.sort(letters);
        return new String(letters);
    }

    private static String normalised(String text) {
        return text.toLowerCase(Locale.ROOT).replace("-", "");
    }

    /**
     * Whether {@code name} looks like a misspelling of one of the candidates rather than a name of its own: one letter
     * in four at most differs, two at most, and it is not the candidate itself in another case (Camel accepts that).
     */
    public static Optional<String> misspeltOf(String name, Collection<String> candidates) {
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
    public static String didYouMean(Optional<String> suggestion) {
        return suggestion.map(value -> " (did you mean " + value + "?)").orElse("");
    }
}
