package io.carbridge;

/**
 * The parts of a route's text known only when the route runs: {@code {{placeholders}}} (a setting, or a route
 * template's parameter) and {@code ${expressions}} (the simple language, in a {@code toD} URI).
 */
public final class Dynamic {

    private Dynamic() {}

    public static boolean isDynamic(String text) {
        return text != null && (text.contains("{{") || text.contains("${"));
    }

    /**
     * The text with each {@code ${...}} written as a placeholder, which the Camel catalog knows to leave alone: an
     * option whose value is one is checked by its name only.
     */
    public static String asPlaceholders(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("${", i)) {
                int depth = 0;
                int end = i + 1;
                for (; end < text.length(); end++) {
                    char c = text.charAt(end);
                    if (c == '{') {
                        depth++;
                    } else if (c == '}' && --depth == 0) {
                        break;
                    }
                }
                out.append("{{expression}}");
                i = Math.min(end + 1, text.length());
            } else {
                out.append(text.charAt(i++));
            }
        }
        return out.toString();
    }
}
