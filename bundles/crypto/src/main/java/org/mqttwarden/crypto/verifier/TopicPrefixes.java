package org.mqttwarden.crypto.verifier;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.mqttwarden.crypto.keys.TopicPrefix;

/**
 * The protected prefixes of {@code verify.prefixes}: each names whole topic levels ({@code plant/secure} covers
 * {@code plant/secure} and everything below it), as the key store's prefixes do, and is subscribed as
 * {@code <prefix>/#}. Entries are comma-separated (a {@code .cfg} file gives one string); a trailing {@code /} is
 * dropped. Refused, so that a typo never silently judges the wrong
 * topics: the empty prefix (every topic, plaintext ones too, would be a flood of MALFORMED), wildcards, control
 * characters and {@code $} topics (the broker's own).
 */
final class TopicPrefixes {

    private TopicPrefixes() {
    }

    /** @throws IllegalArgumentException naming the first refused prefix and why */
    static List<String> parse(String[] configured) {
        Set<String> out = new LinkedHashSet<>();
        List<String> entries = new ArrayList<>();
        for (String value : configured == null ? new String[0] : configured) {
            // a .cfg line "verify.prefixes = a, b" arrives as one string: split it (a topic with a comma in it
            // cannot be a protected prefix)
            if (value != null) {
                entries.addAll(List.of(value.split(",")));
            }
        }
        for (String raw : entries) {
            if (raw == null || raw.isBlank()) {
                continue;
            }
            String p = raw.trim();
            while (p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            String why = TopicPrefix.invalid(p);
            if (why == null && p.isEmpty()) {
                why = "A protected prefix names at least one topic level; to judge everything, list each prefix";
            }
            if (why == null && p.startsWith("$")) {
                why = "Topics starting with $ are the broker's own";
            }
            if (why != null) {
                throw new IllegalArgumentException("verify.prefixes: '" + raw + "' is refused: " + why);
            }
            out.add(p);
        }
        return new ArrayList<>(out);
    }
}
