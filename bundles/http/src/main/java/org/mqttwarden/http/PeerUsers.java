package org.mqttwarden.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;

/**
 * Serves only connections opened by given OS users: for go-auth builds that cannot send a header.
 * The peer of a connection must be on loopback; its socket's owner is looked up once, at the first
 * request on the connection, in {@code /proc/net/tcp(6)} ({@link ProcNetTcp}), off the IO thread,
 * and the answer is kept on the connection, so later requests on it cost a map read. A peer that is not on
 * loopback, or whose socket is not found, is refused: the check fails closed.
 */
final class PeerUsers {

    private static final Logger LOG = LoggerFactory.getLogger(PeerUsers.class);
    /** The uid owning a connection's peer socket, or {@link #UNKNOWN}; set at its first request. */
    private static final AttachmentKey<Integer> PEER_UID = AttachmentKey.create(Integer.class);
    /** A peer whose owner could not be found. */
    static final int UNKNOWN = -1;

    private final int[] allowed;
    private final String description;
    private final ProcNetTcp tables;

    private PeerUsers(int[] allowed, String description, ProcNetTcp tables) {
        this.allowed = allowed;
        this.description = description;
        this.tables = tables;
    }

    /**
     * Reads {@code allowed.os.users}: names or numeric uids, separated by commas or spaces.
     *
     * @param passwd the user database names are looked up in ({@code /etc/passwd}), read once, here
     * @return the check, or {@code null} when {@code spec} names nobody (the check is off)
     * @throws IllegalArgumentException when a name is not in {@code passwd} or a uid is out of range;
     *         the message names it
     */
    static PeerUsers parse(String spec, Path passwd, ProcNetTcp tables) {
        if (spec == null || spec.isBlank()) {
            return null;
        }
        List<String> names = Arrays.stream(spec.trim().split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
        if (names.isEmpty()) {
            return null;
        }
        Map<String, Integer> users = null;
        TreeSet<Integer> uids = new TreeSet<>();
        for (String name : names) {
            if (name.chars().allMatch(c -> c >= '0' && c <= '9')) {
                long uid = name.length() > 10 ? -1 : Long.parseLong(name);
                if (uid < 0 || uid > 0xffff_fffeL) {
                    throw new IllegalArgumentException("allowed.os.users: uid " + name + " is out of range");
                }
                uids.add((int) uid);
            } else {
                if (users == null) {
                    users = readPasswd(passwd);
                }
                Integer uid = users.get(name);
                if (uid == null) {
                    throw new IllegalArgumentException("allowed.os.users: there is no user '" + name + "' in "
                            + passwd);
                }
                uids.add(uid);
            }
        }
        int[] allowed = uids.stream().mapToInt(Integer::intValue).toArray();
        return new PeerUsers(allowed, String.join(", ", names) + " (uid " + uids + ")", tables);
    }

    /** @return user name to uid, from a file in {@code /etc/passwd}'s format */
    private static Map<String, Integer> readPasswd(Path passwd) {
        Map<String, Integer> users = new HashMap<>();
        try {
            for (String line : Files.readAllLines(passwd, StandardCharsets.UTF_8)) {
                String[] f = line.split(":", -1);
                if (f.length >= 3 && !f[0].isEmpty() && !line.startsWith("#")) {
                    try {
                        users.putIfAbsent(f[0], (int) Long.parseLong(f[2]));
                    } catch (NumberFormatException e) {
                        // not a user line
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("allowed.os.users: cannot read " + passwd + " to find users by name: "
                    + e.getMessage(), e);
        }
        return users;
    }

    /** @return the users allowed, as configured, with their uids */
    String description() {
        return description;
    }

    /**
     * @return the owner of the connection's peer socket as looked up for it ({@link #UNKNOWN} when
     *         not found), or {@code null} when the connection has not been looked up yet
     */
    Integer known(ServerConnection connection) {
        return connection.getAttachment(PEER_UID);
    }

    /**
     * Keeps the answer of {@link #lookUp} on the connection, for every later request on it. Call it
     * on the connection's IO thread.
     */
    void keep(ServerConnection connection, int uid) {
        connection.putAttachment(PEER_UID, uid);
    }

    /**
     * @return the owner of the connection's peer socket as kept on it, or {@link #UNKNOWN} when the
     *         connection was not looked up or the owner was not found (the check fails closed)
     */
    int peerUid(ServerConnection connection) {
        Integer uid = known(connection);
        return uid == null ? UNKNOWN : uid;
    }

    /** @return whether {@code uid} (from {@link #peerUid}) is one of the allowed users; never {@link #UNKNOWN} */
    boolean allows(int uid) {
        return uid != UNKNOWN && Arrays.binarySearch(allowed, uid) >= 0;
    }

    /**
     * Looks up who owns the peer's socket. Reads {@code /proc/net/tcp(6)}, which takes milliseconds
     * where the kernel's connection table is large (6.5 ms measured on a 24 GiB VM with 20 sockets:
     * the kernel walks every bucket): call it off the IO thread.
     *
     * @return the uid owning the peer's socket, or {@link #UNKNOWN} when the peer is not on loopback
     *         or its socket is not listed
     */
    int lookUp(ServerConnection connection) {
        InetSocketAddress peer = connection.getPeerAddress(InetSocketAddress.class);
        InetSocketAddress ours = connection.getLocalAddress(InetSocketAddress.class);
        if (peer == null || ours == null || !peer.getAddress().isLoopbackAddress()) {
            LOG.debug("Caller {} is not on loopback: its OS user cannot be known", peer);
            return UNKNOWN;
        }
        try {
            OptionalInt owner = tables.ownerOf(peer, ours);
            if (owner.isEmpty()) {
                LOG.debug("No socket of caller {} in /proc/net/tcp(6): its OS user is unknown", peer);
                return UNKNOWN;
            }
            // uid -1 (4294967295) never names a user: keep it apart from UNKNOWN's meaning by refusing it too
            return owner.getAsInt();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot look up the OS user of caller {}: {}; refused", peer, e.toString());
            return UNKNOWN;
        }
    }
}
