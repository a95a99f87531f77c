package org.mqttwarden.otp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Whether a host name given in configuration or a request names this machine's loopback, without DNS. */
public final class Loopback {

    /** IPv4 and IPv6 address literals (an IPv6 one has a colon), which InetAddress parses without asking DNS. */
    private static final Pattern ADDRESS_LITERAL = Pattern.compile("[0-9.]+|\\[?[0-9a-fA-F.]*:[0-9a-fA-F:.]*]?");

    private Loopback() {
    }

    /**
     * @return whether {@code host} is {@code localhost} or a loopback address literal ({@code 127.x.y.z},
     *     {@code ::1}, bracketed or not); decided without a DNS lookup (callers run while a component activates, or
     *     on a request), so a name that would resolve to loopback does not count: it may resolve elsewhere tomorrow
     */
    public static boolean named(String host) {
        if (host == null) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!ADDRESS_LITERAL.matcher(host).matches()) {
            return false;
        }
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
