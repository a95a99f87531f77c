package org.mqttwarden.crypto.keys;

import java.nio.charset.StandardCharsets;

/**
 * Topic prefixes keys are selected by. A prefix covers whole topic levels: {@code plant/a} covers {@code plant/a}
 * and {@code plant/a/temp} but not {@code plant/ab}; a prefix ending in {@code /} covers what starts with it; the
 * empty prefix covers every topic. Wildcards and NUL are refused: a prefix names topics, it is not a filter.
 */
public final class TopicPrefix {

    /** Longest prefix accepted, in UTF-8 bytes (what fits the table's column on every database). */
    static final int MAX_BYTES = 1024;

    private TopicPrefix() {
    }

    /** @return the reason {@code prefix} is refused, or null when it is a valid prefix */
    public static String invalid(String prefix) {
        if (prefix == null) {
            return "A topic prefix is required (--prefix; \"\" for every topic)";
        }
        if (prefix.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "A topic prefix has at most " + MAX_BYTES + " bytes";
        }
        if (!new String(prefix.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(prefix)) {
            return "A topic prefix must be well-formed text (UTF-8)";
        }
        if (prefix.chars().anyMatch(c -> c == '+' || c == '#' || Character.isISOControl(c))) {
            return "A topic prefix names topics: no wildcard (+ #) and no control character";
        }
        return null;
    }

    /** @return whether {@code prefix} covers {@code topic} */
    static boolean covers(String prefix, String topic) {
        return topic.startsWith(prefix) && (prefix.isEmpty() || prefix.endsWith("/")
                || topic.length() == prefix.length() || topic.charAt(prefix.length()) == '/');
    }
}
