package org.mqttwarden.auth;

import java.util.Locale;

import org.mqttwarden.api.auth.ClientAddressResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a {@link ClientAddressResolver} for a client's address and accepts only an IP literal, so a
 * faulty resolver can neither fail a decision nor put anything but an address into the audit log.
 * Parsing is by hand: {@code InetAddress.getByName} would look up anything that is not a literal in
 * DNS, on the decision path.
 */
final class ClientAddresses {

    private static final Logger LOG = LoggerFactory.getLogger(ClientAddresses.class);

    /** Longest accepted answer; an IPv6 literal with an embedded IPv4 part and a zone fits. */
    static final int MAX_LENGTH = 64;
    private static final int MAX_ZONE_LENGTH = 16;
    private static final String MAPPED_PREFIX = "::ffff:";

    private ClientAddresses() {
    }

    /**
     * @return the resolver's address for the client id in normal form, or {@code null} when there
     *     is no resolver, no client id, no answer, an exception or an answer that is no IP literal
     */
    static String resolve(ClientAddressResolver resolver, String clientId) {
        if (resolver == null || clientId == null || clientId.isEmpty()) {
            return null;
        }
        String answer;
        try {
            answer = resolver.addressOf(clientId);
        } catch (RuntimeException e) {
            LOG.debug("Client address resolver {} failed; address treated as unknown: {}",
                    resolver.getClass().getName(), e.toString());
            return null;
        }
        if (answer == null) {
            return null;
        }
        String address = normalise(answer);
        if (address == null && LOG.isDebugEnabled()) {
            // the value itself is not logged: it is exactly what must not reach a log unchecked
            LOG.debug("Client address resolver {} answered something that is no IP literal ({} characters);"
                    + " address treated as unknown", resolver.getClass().getName(), answer.length());
        }
        return address;
    }

    /**
     * Accepts IPv4 in dotted-decimal (no leading zeros) and IPv6 text, with or without brackets and
     * with an optional zone; no port, no host name, at most {@value #MAX_LENGTH} characters. IPv6
     * hex digits are lower-cased and an IPv4-mapped {@code ::ffff:a.b.c.d} becomes {@code a.b.c.d};
     * other IPv6 spellings are kept as given (the resolver's contract asks for RFC 5952 text).
     *
     * @return the address in normal form, or {@code null} when the text is no IP literal
     */
    static String normalise(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            return null;
        }
        if (isIpv4(text, 0, text.length())) {
            return text;
        }
        String s = text;
        if (s.charAt(0) == '[') {
            if (s.length() < 3 || s.charAt(s.length() - 1) != ']') {
                return null;
            }
            s = s.substring(1, s.length() - 1);
        }
        int percent = s.indexOf('%');
        int end = percent < 0 ? s.length() : percent;
        if (percent >= 0 && !isZone(s, percent + 1)) {
            return null;
        }
        String address = s.substring(0, end).toLowerCase(Locale.ROOT);
        if (!isIpv6(address)) {
            return null;
        }
        if (percent < 0 && address.startsWith(MAPPED_PREFIX)
                && isIpv4(address, MAPPED_PREFIX.length(), address.length())) {
            return address.substring(MAPPED_PREFIX.length());
        }
        return percent < 0 ? address : address + s.substring(percent);
    }

    /** @return whether {@code s[from, to)} is four decimal parts 0-255 without leading zeros */
    private static boolean isIpv4(String s, int from, int to) {
        int dots = 0;
        int digits = 0;
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits == 1 && value == 0) {
                    return false;
                }
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return false;
                }
            } else if (c == '.' && digits > 0 && dots < 3) {
                dots++;
                digits = 0;
                value = 0;
            } else {
                return false;
            }
        }
        return dots == 3 && digits > 0;
    }

    private static boolean isZone(String s, int from) {
        int length = s.length() - from;
        if (length < 1 || length > MAX_ZONE_LENGTH) {
            return false;
        }
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** @return whether the lower-case text is an IPv6 address (RFC 4291 section 2.2) */
    private static boolean isIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap < 0) {
            return groups(s, true) == 8;
        }
        if (s.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        int head = groups(s.substring(0, gap), false);
        int tail = groups(s.substring(gap + 2), true);
        return head >= 0 && tail >= 0 && head + tail <= 7;
    }

    /**
     * @return how many 16-bit groups the colon-separated text holds (an IPv4 tail counting two, when
     *     allowed), 0 for the empty text, or -1 when it is malformed
     */
    private static int groups(String s, boolean ipv4Tail) {
        if (s.isEmpty()) {
            return 0;
        }
        int count = 0;
        int start = 0;
        while (true) {
            int colon = s.indexOf(':', start);
            int end = colon < 0 ? s.length() : colon;
            if (colon < 0 && ipv4Tail && s.indexOf('.', start) >= 0) {
                return isIpv4(s, start, end) ? count + 2 : -1;
            }
            if (end == start || end - start > 4) {
                return -1;
            }
            for (int i = start; i < end; i++) {
                char c = s.charAt(i);
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                    return -1;
                }
            }
            count++;
            if (colon < 0) {
                return count;
            }
            start = colon + 1;
        }
    }
}
