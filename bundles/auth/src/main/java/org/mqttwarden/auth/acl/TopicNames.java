package org.mqttwarden.auth.acl;

import java.util.Objects;
import java.util.Optional;

import org.mqttwarden.api.account.InvalidInputException;

/**
 * Syntax of MQTT topic names, topic filters, shared subscriptions and ACL rule filters.
 *
 * <p>Levels are separated by {@code /} and may be empty ({@code a//b} has three levels, {@code /a}
 * starts with an empty one). {@code +} must be a whole level, {@code #} the whole last level.
 * Lengths are counted in UTF-8 bytes, as on the wire.
 */
public final class TopicNames {

    /** The longest topic name or filter MQTT can carry, in UTF-8 bytes. */
    public static final int MAX_BYTES = 65_535;

    /**
     * The most levels a rule's filter, or a topic or filter the ACL decides on, may have. MQTT sets
     * no such limit, but matching goes one step deeper per level, so depth must stay bounded.
     */
    public static final int MAX_LEVELS = 256;

    /** The first level that makes a subscription filter a shared subscription. */
    public static final String SHARE_LEVEL = "$share";

    private static final String SHARE_PREFIX = SHARE_LEVEL + "/";

    /**
     * A shared subscription {@code $share/<group>/<filter>} taken apart.
     *
     * @param group the share name, never empty
     * @param filter the topic filter after the group, never empty
     */
    public record Shared(String group, String filter) {

        public Shared {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(filter, "filter");
        }
    }

    private TopicNames() {
    }

    /**
     * Checks the topic filter of an ACL rule: a valid MQTT topic filter in which {@code %u} and
     * {@code %c} may stand only as whole levels, not a shared subscription, free of control
     * characters, with at most {@value #MAX_LEVELS} levels.
     *
     * @throws InvalidInputException with one sentence naming the problem when the filter is not valid
     */
    public static void validateRuleFilter(String filter) {
        if (filter == null || filter.isEmpty()) {
            throw new InvalidInputException("A topic filter must not be empty.");
        }
        if (!fitsOnTheWire(filter)) {
            throw new InvalidInputException("A topic filter must not be longer than " + MAX_BYTES
                    + " bytes in UTF-8.");
        }
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                throw new InvalidInputException("A topic filter must not contain control characters such as NUL"
                        + " (found U+" + String.format("%04X", (int) c) + " at position " + (i + 1) + ").");
            }
        }
        if (!isWellFormedUnicode(filter)) {
            throw new InvalidInputException("A topic filter must be valid Unicode, without unpaired surrogates.");
        }
        int levelCount = levelCount(filter);
        if (levelCount > MAX_LEVELS) {
            throw new InvalidInputException("A topic filter must not have more than " + MAX_LEVELS
                    + " levels (found " + levelCount + ").");
        }
        if (filter.equals(SHARE_LEVEL) || filter.startsWith(SHARE_PREFIX)) {
            throw new InvalidInputException("A rule's topic filter must not start with '$share/': a shared"
                    + " subscription is checked against the filter after its group, so write the rule for that"
                    + " filter, not '" + filter + "'.");
        }
        int start = 0;
        while (true) {
            int end = filter.indexOf('/', start);
            boolean last = end < 0;
            String level = filter.substring(start, last ? filter.length() : end);
            if (level.indexOf('#') >= 0 && (!level.equals("#") || !last)) {
                throw new InvalidInputException("'#' must be the whole last level of a topic filter, as in 'a/#';"
                        + " '" + filter + "' is not valid.");
            }
            if (level.indexOf('+') >= 0 && !level.equals("+")) {
                throw new InvalidInputException("'+' must be a whole level of a topic filter, as in 'a/+/b';"
                        + " '" + filter + "' is not valid.");
            }
            if ((level.contains("%u") || level.contains("%c")) && !level.equals("%u") && !level.equals("%c")) {
                throw new InvalidInputException("'%u' and '%c' must each be a whole level of a topic filter, as in"
                        + " 'devices/%u/#'; '" + filter + "' is not valid.");
            }
            if (last) {
                return;
            }
            start = end + 1;
        }
    }

    /**
     * @return whether {@code topic} is a topic a client may publish to (and so a topic a message can
     *     be delivered on): not empty, no {@code +} or {@code #}, no NUL, well-formed Unicode, at most
     *     {@value #MAX_BYTES} UTF-8 bytes
     */
    public static boolean isValidPublishTopic(String topic) {
        if (topic == null || topic.isEmpty() || !fitsOnTheWire(topic)) {
            return false;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == 0) {
                return false;
            }
        }
        return isWellFormedUnicode(topic);
    }

    /**
     * @return whether {@code filter} is a topic filter a client may subscribe to: not empty, no NUL,
     *     well-formed Unicode, at most {@value #MAX_BYTES} UTF-8 bytes, {@code +} only as a whole level
     *     and {@code #} only as the whole last level; a filter starting with {@code $share} must be a
     *     well-formed shared subscription around such a filter (see {@link #parseShared})
     */
    public static boolean isValidSubscribeFilter(String filter) {
        if (isShared(filter)) {
            Optional<Shared> shared = parseShared(filter);
            return shared.isPresent() && isValidPlainFilter(shared.get().filter()) && fitsOnTheWire(filter);
        }
        return isValidPlainFilter(filter);
    }

    /**
     * @return whether {@code filter} names a shared subscription, that is its first level is
     *     {@code $share} (well-formed or not)
     */
    public static boolean isShared(String filter) {
        return filter != null && filter.startsWith(SHARE_LEVEL)
                && (filter.length() == SHARE_LEVEL.length() || filter.charAt(SHARE_LEVEL.length()) == '/');
    }

    /**
     * Takes a shared subscription {@code $share/<group>/<filter>} apart. The filter part is returned
     * as written; check it with {@link #isValidSubscribeFilter} or {@link #isValidPublishTopic}.
     *
     * @return the group and filter; empty when {@code filter} is not a shared subscription or is a
     *     malformed one: no group, a group holding {@code +}, {@code #} or NUL, or nothing after the group
     */
    public static Optional<Shared> parseShared(String filter) {
        if (filter == null || !filter.startsWith(SHARE_PREFIX)) {
            return Optional.empty();
        }
        int groupStart = SHARE_PREFIX.length();
        int groupEnd = filter.indexOf('/', groupStart);
        if (groupEnd <= groupStart || groupEnd == filter.length() - 1) {
            return Optional.empty();
        }
        String group = filter.substring(groupStart, groupEnd);
        for (int i = 0; i < group.length(); i++) {
            char c = group.charAt(i);
            if (c == '+' || c == '#' || c == 0) {
                return Optional.empty();
            }
        }
        return Optional.of(new Shared(group, filter.substring(groupEnd + 1)));
    }

    /**
     * @return the number of levels of a topic or filter, empty ones included: one more than its
     *     number of {@code /}
     */
    public static int levelCount(String topic) {
        int count = 1;
        for (int i = 0; i < topic.length(); i++) {
            if (topic.charAt(i) == '/') {
                count++;
            }
        }
        return count;
    }

    /**
     * Splits a topic or filter into its levels, keeping empty ones: {@code a//b} gives
     * {@code [a, , b]}, {@code /a} gives {@code [, a]}, {@code a/} gives {@code [a, ]}.
     */
    public static String[] levels(String topic) {
        int count = levelCount(topic);
        String[] levels = new String[count];
        int start = 0;
        for (int n = 0; n < count - 1; n++) {
            int end = topic.indexOf('/', start);
            levels[n] = topic.substring(start, end);
            start = end + 1;
        }
        levels[count - 1] = topic.substring(start);
        return levels;
    }

    private static boolean isValidPlainFilter(String filter) {
        if (filter == null || filter.isEmpty() || !fitsOnTheWire(filter) || !isWellFormedUnicode(filter)) {
            return false;
        }
        int n = filter.length();
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            if (c == 0) {
                return false;
            }
            if (c == '+' || c == '#') {
                boolean startsLevel = i == 0 || filter.charAt(i - 1) == '/';
                boolean endsLevel = i == n - 1 || filter.charAt(i + 1) == '/';
                if (!startsLevel || !endsLevel || (c == '#' && i != n - 1)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** @return whether {@code s} takes at most {@value #MAX_BYTES} bytes in UTF-8 */
    private static boolean fitsOnTheWire(String s) {
        int n = s.length();
        if (n <= MAX_BYTES / 3) {
            return true; // no char takes more than 3 bytes (a surrogate pair takes 4 for 2 chars)
        }
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes <= MAX_BYTES;
    }

    private static boolean isWellFormedUnicode(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
