package org.mqttwarden.broker.watch;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mqttwarden.broker.watch.LogLine.Kind;

/**
 * Reads the lines of Mosquitto 2.0 and 2.1's log that are about client connections; every other line is
 * {@code null}. Timestamps: {@code log_timestamp true} with the default format (seconds since the epoch, as the
 * generated configuration writes them) or an ISO-like {@code log_timestamp_format} ({@code %Y-%m-%dT%H:%M:%S}
 * or with a space), read in the gateway's zone as Mosquitto writes them in local time; a line without a
 * timestamp is read too.
 *
 * <p>The forms, as Debian's Mosquitto 2.0.11 writes them (recorded by {@code LogCorpusTest}) and as 2.1 writes
 * them in public reports (not recorded here: no 2.1 package on this machine):
 * <pre>
 * New connection from 127.0.0.1:48206 on port 18883.                        accepted, before CONNECT
 * New connection from ::1:59796 on port 18884.                              IPv6: the last colon ends the address
 * New client connected from 127.0.0.1:48206 as good1 (p2, c1, k60, u'u1').  logged in
 * Client good1 disconnected. | closed its connection. | has exceeded timeout, disconnecting.
 * Socket error on client good1, disconnecting.
 * Client &lt;unknown&gt; disconnected, not authorised.                     2.0.11: no client id on a refused login
 * Client good1 disconnected, not authorised.                                later 2.0 releases
 * Client good1 [10.0.0.5:45324] disconnected: not authorised.               2.1: client id and endpoint
 * Client &lt;unknown&gt; disconnected due to protocol error.
 * </pre>
 * Client ids may hold any printable character, spaces, brackets and parentheses included, so the known tails
 * are matched from the end of the line, never by splitting on spaces. Mosquitto refuses a client id with control
 * characters (a protocol error, before it would log it), so one client cannot forge a line with a newline; the
 * real broker test proves it.
 */
final class LogParser {

    /** Longest line read; Mosquitto's own lines are far shorter, a longer one is cut by the follower. */
    static final int MAX_LINE = 4096;

    private static final Pattern EPOCH = Pattern.compile("^(\\d{1,12}): ");
    private static final Pattern ISO = Pattern.compile(
            "^(\\d{4}-\\d{2}-\\d{2})[T ](\\d{2}:\\d{2}:\\d{2})(?:[.,]\\d{1,9})?: ");
    private static final Pattern ACCEPTED = Pattern.compile("^New connection from (\\S+) on port (\\d{1,5})\\.$");
    private static final Pattern CONNECTED = Pattern.compile(
            "^New client connected from (\\S+) as (.*) \\(p(\\d+), c\\d+, k\\d+(?:, u'(.*)')?\\)\\.$");
    private static final String CLIENT = "Client ";
    private static final String SOCKET_ERROR = "Socket error on client ";

    /** Tails of {@code Client <id> ...} lines, longest first where one ends another. */
    private static final List<Tail> TAILS = List.of(
            new Tail(" disconnected, not authorised.", Kind.NOT_AUTHORISED),
            new Tail(" disconnected: not authorised.", Kind.NOT_AUTHORISED),
            new Tail(" disconnected due to protocol error.", Kind.PROTOCOL_ERROR),
            new Tail(" disconnected due to malformed packet.", Kind.PROTOCOL_ERROR),
            new Tail(" disconnected: protocol error.", Kind.PROTOCOL_ERROR),
            new Tail(" disconnected: malformed packet.", Kind.PROTOCOL_ERROR),
            new Tail(" disconnected.", Kind.DISCONNECTED),
            new Tail(" closed its connection.", Kind.DISCONNECTED),
            new Tail(" has exceeded timeout, disconnecting.", Kind.DISCONNECTED));

    private record Tail(String text, Kind kind) {
    }

    private final ZoneId zone;

    /** @param zone the zone of ISO-like timestamps (Mosquitto writes local time) */
    LogParser(ZoneId zone) {
        this.zone = zone;
    }

    /** @return what the line says about a client connection, or {@code null} when it says nothing we read */
    LogLine parse(String line) {
        if (line == null || line.isEmpty() || line.length() > MAX_LINE) {
            return null;
        }
        long time = -1;
        String message = line;
        Matcher m = EPOCH.matcher(line);
        if (m.lookingAt()) {
            time = Long.parseLong(m.group(1));
            message = line.substring(m.end());
        } else if ((m = ISO.matcher(line)).lookingAt()) {
            try {
                time = LocalDateTime.parse(m.group(1) + "T" + m.group(2)).atZone(zone).toEpochSecond();
            } catch (DateTimeParseException e) {
                return null;
            }
            message = line.substring(m.end());
        }
        if (message.startsWith("mosquitto version ")
                && (message.endsWith(" starting") || message.endsWith(" terminating"))) {
            return new LogLine(Kind.BROKER_RESTART, time, null, null, -1, null, -1);
        }
        if (message.startsWith("New ")) {
            return connection(message, time);
        }
        if (message.startsWith(CLIENT)) {
            return client(message.substring(CLIENT.length()), time);
        }
        if (message.startsWith(SOCKET_ERROR) && message.endsWith(", disconnecting.")) {
            String id = message.substring(SOCKET_ERROR.length(), message.length() - ", disconnecting.".length());
            return ended(Kind.DISCONNECTED, id, time);
        }
        return null;
    }

    private static LogLine connection(String message, long time) {
        Matcher m = ACCEPTED.matcher(message);
        if (m.matches()) {
            String[] ep = endpoint(m.group(1));
            return ep == null ? null : new LogLine(Kind.ACCEPTED, time, null, ep[0], Integer.parseInt(ep[1]), null,
                    -1);
        }
        m = CONNECTED.matcher(message);
        if (m.matches()) {
            String[] ep = endpoint(m.group(1));
            String id = m.group(2);
            if (ep == null || id.isEmpty() || m.group(3).length() > 2) {
                return null;
            }
            return new LogLine(Kind.CONNECTED, time, id, ep[0], Integer.parseInt(ep[1]), m.group(4),
                    Integer.parseInt(m.group(3)));
        }
        return null;
    }

    /** {@code <id> [A:P] <tail>} (2.1) or {@code <id> <tail>} (2.0), after {@code "Client "}. */
    private static LogLine client(String rest, long time) {
        for (Tail t : TAILS) {
            if (rest.endsWith(t.text())) {
                return ended(t.kind(), rest.substring(0, rest.length() - t.text().length()), time);
            }
        }
        // 2.1 gives reasons after a colon: "disconnected: session taken over." and others not listed above
        int colon = rest.lastIndexOf(" disconnected: ");
        if (colon > 0 && rest.endsWith(".")) {
            return ended(Kind.DISCONNECTED, rest.substring(0, colon), time);
        }
        return null;
    }

    private static LogLine ended(Kind kind, String head, long time) {
        String id = head;
        String address = null;
        int port = -1;
        if (head.endsWith("]")) {
            int open = head.lastIndexOf(" [");
            String[] ep = open < 0 ? null : endpoint(head.substring(open + 2, head.length() - 1));
            if (ep != null) {
                id = head.substring(0, open);
                address = ep[0];
                port = Integer.parseInt(ep[1]);
            }
        }
        if (id.isEmpty()) {
            return null;
        }
        return new LogLine(kind, time, "<unknown>".equals(id) ? null : id, address, port, null, -1);
    }

    /** @return the canonical address and the port of {@code A:P} (IPv6 unbracketed or bracketed), or null */
    static String[] endpoint(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1 || text.length() - colon - 1 > 5) {
            return null;
        }
        String port = text.substring(colon + 1);
        if (!port.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(port) > 65535) {
            return null;
        }
        String address = IpLiteral.canonical(text.substring(0, colon));
        return address == null ? null : new String[] {address, port};
    }
}
