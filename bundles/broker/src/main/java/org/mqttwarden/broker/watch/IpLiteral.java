package org.mqttwarden.broker.watch;

import java.util.Locale;

/**
 * IP literals as the {@link org.mqttwarden.api.auth.ClientAddressResolver} contract wants them, parsed by hand: no
 * {@code InetAddress.getByName}, which would ask DNS about anything that is not a literal. IPv4 in dotted decimal;
 * IPv6 in RFC 5952 text (lower case, the longest run of two or more zero groups shortened, the first such run on a
 * tie); an IPv4-mapped IPv6 address as plain IPv4; a zone ({@code %eth0}) kept.
 */
final class IpLiteral {

    private static final int MAX_ZONE = 16;

    private IpLiteral() {
    }

    /** @return the canonical text of {@code text}, or {@code null} when it is no IP literal */
    static String canonical(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return null;
        }
        if (ipv4(text) != null) {
            return text;
        }
        String s = text;
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        String zone = "";
        int percent = s.indexOf('%');
        if (percent >= 0) {
            zone = s.substring(percent);
            s = s.substring(0, percent);
            if (zone.length() < 2 || zone.length() > MAX_ZONE + 1 || !zone.substring(1).chars().allMatch(
                    c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.'
                            || c == '_' || c == '-')) {
                return null;
            }
        }
        int[] groups = ipv6(s.toLowerCase(Locale.ROOT));
        if (groups == null) {
            return null;
        }
        boolean mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
                && groups[5] == 0xffff;
        if (mapped && zone.isEmpty()) {
            return (groups[6] >> 8) + "." + (groups[6] & 0xff) + "." + (groups[7] >> 8) + "." + (groups[7] & 0xff);
        }
        return format(groups) + zone;
    }

    /** @return the four bytes of a dotted-decimal address without leading zeros, or {@code null} */
    private static int[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        int[] bytes = new int[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || p.length() > 1 && p.charAt(0) == '0'
                    || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            bytes[i] = Integer.parseInt(p);
            if (bytes[i] > 255) {
                return null;
            }
        }
        return bytes;
    }

    /** @return the eight groups of an IPv6 address (RFC 4291 2.2, an IPv4 tail allowed), or {@code null} */
    private static int[] ipv6(String s) {
        if (s.isEmpty() || s.indexOf(':') < 0) {
            return null;
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] head = groups(gap < 0 ? s : s.substring(0, gap));
        int[] tail = gap < 0 ? new int[0] : groups(s.substring(gap + 2));
        if (head == null || tail == null) {
            return null;
        }
        int n = head.length + tail.length;
        if (gap < 0 ? n != 8 : n > 7) {
            return null;
        }
        int[] all = new int[8];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, 8 - tail.length, tail.length);
        return all;
    }

    private static int[] groups(String s) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        int last = parts.length - 1;
        int[] v4 = parts[last].indexOf('.') >= 0 ? ipv4(parts[last]) : null;
        if (parts[last].indexOf('.') >= 0 && v4 == null) {
            return null;
        }
        int count = parts.length + (v4 != null ? 1 : 0);
        int[] out = new int[count];
        for (int i = 0; i < parts.length - (v4 != null ? 1 : 0); i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 4 || !p.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return null;
            }
            out[i] = Integer.parseInt(p, 16);
        }
        if (v4 != null) {
            out[count - 2] = v4[0] << 8 | v4[1];
            out[count - 1] = v4[2] << 8 | v4[3];
        }
        return out;
    }

    /** RFC 5952 section 4: lower-case hex without leading zeros, the longest zero run (length 2 or more) as ::. */
    private static String format(int[] g) {
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLength - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }
}
