package org.mqttwarden.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Who owns the other end of a local TCP connection, from Linux's {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6}. The client's socket of a loopback connection is listed there with
 * <em>its</em> address and port as local and ours as remote; the {@code uid} column is the user
 * that created it. Only sockets in this network namespace are listed, so a peer in another
 * container, or on another host, is not found.
 *
 * <p>Addresses are hex of 32-bit words in the kernel's byte order ({@code 0100007F} is 127.0.0.1 on
 * a little-endian machine); ports are hex in natural order.
 */
final class ProcNetTcp {

    /** The connection states in which the client's socket can have sent us a request. */
    private static final int ESTABLISHED = 0x01;
    private static final int FIN_WAIT1 = 0x04;
    private static final int FIN_WAIT2 = 0x05;
    private static final int CLOSE_WAIT = 0x08;
    private static final int LISTEN = 0x0A;

    private final List<Path> tables;
    private final ByteOrder order;

    /**
     * @param tables the tables to search, in order ({@code /proc/net/tcp}, {@code /proc/net/tcp6})
     * @param order the byte order the kernel wrote addresses in (the machine's)
     */
    ProcNetTcp(List<Path> tables, ByteOrder order) {
        this.tables = List.copyOf(tables);
        this.order = order;
    }

    /** @return the reader of this machine's tables */
    static ProcNetTcp system() {
        return new ProcNetTcp(List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")), ByteOrder.nativeOrder());
    }

    /** One row of a table: the socket's own end, the other end, its state and owner. */
    record Entry(InetSocketAddress local, InetSocketAddress remote, int state, int uid) {
    }

    /**
     * Finds the owner of the client's end of a connection we accepted.
     *
     * @param peer the client's address and port, as we see them
     * @param ours our address and port on that connection
     * @return the uid owning the client's socket, or empty when no live socket with that address
     *         pair is listed (a peer in another namespace or host, or a connection already gone)
     * @throws IOException when a table cannot be read (one that does not exist is skipped)
     */
    OptionalInt ownerOf(InetSocketAddress peer, InetSocketAddress ours) throws IOException {
        InetAddress peerAddress = unmapped(peer.getAddress());
        InetAddress ourAddress = unmapped(ours.getAddress());
        for (Path table : tables) {
            try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.ISO_8859_1)) {
                in.readLine(); // the header
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    Entry e = parse(line, order);
                    if (e != null && live(e.state) && e.local.getPort() == peer.getPort()
                            && e.remote.getPort() == ours.getPort() && e.local.getAddress().equals(peerAddress)
                            && e.remote.getAddress().equals(ourAddress)) {
                        return OptionalInt.of(e.uid);
                    }
                }
            } catch (NoSuchFileException e) {
                // no IPv6 in this kernel: nothing listed there
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Whether a socket of this network namespace listens on a TCP port, at any address. Reads the
     * tables only: no connection is made, so the listening server sees (and logs) nothing.
     *
     * @return true when a row in state LISTEN has that local port; false when none has
     * @throws IOException when a table cannot be read (one that does not exist is skipped)
     */
    boolean listening(int port) throws IOException {
        for (Path table : tables) {
            try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.ISO_8859_1)) {
                in.readLine(); // the header
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    Entry e = parse(line, order);
                    if (e != null && e.state == LISTEN && e.local.getPort() == port) {
                        return true;
                    }
                }
            } catch (NoSuchFileException e) {
                // no IPv6 in this kernel: nothing listed there
            }
        }
        return false;
    }

    private static boolean live(int state) {
        return state == ESTABLISHED || state == FIN_WAIT1 || state == FIN_WAIT2 || state == CLOSE_WAIT;
    }

    /**
     * Parses one row of {@code /proc/net/tcp} or {@code /proc/net/tcp6}.
     *
     * @param order the byte order of the address words
     * @return the row, or {@code null} when the line is not a row (the header, a short or garbled
     *         line); IPv4-mapped IPv6 addresses come back as IPv4
     */
    static Entry parse(String line, ByteOrder order) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 8 || !f[0].endsWith(":")) {
            return null;
        }
        try {
            InetSocketAddress local = endpoint(f[1], order);
            InetSocketAddress remote = endpoint(f[2], order);
            if (local == null || remote == null || f[3].length() != 2) {
                return null;
            }
            long uid = Long.parseLong(f[7]);
            if (uid < 0 || uid > 0xffff_ffffL) {
                return null;
            }
            return new Entry(local, remote, Integer.parseInt(f[3], 16), (int) uid);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** @return {@code hex-address:hex-port} decoded, or {@code null} when malformed */
    private static InetSocketAddress endpoint(String field, ByteOrder order) {
        int colon = field.indexOf(':');
        if (colon < 0 || field.length() - colon - 1 != 4 || (colon != 8 && colon != 32)) {
            return null;
        }
        byte[] address = new byte[colon / 2];
        for (int word = 0; word < address.length / 4; word++) {
            long value = Long.parseLong(field.substring(word * 8, word * 8 + 8), 16);
            for (int b = 0; b < 4; b++) {
                int shift = order == ByteOrder.LITTLE_ENDIAN ? 8 * b : 8 * (3 - b);
                address[word * 4 + b] = (byte) (value >>> shift);
            }
        }
        int port = Integer.parseInt(field.substring(colon + 1), 16);
        try {
            return new InetSocketAddress(unmapped(InetAddress.getByAddress(address)), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** @return the IPv4 address inside an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}), else the address */
    static InetAddress unmapped(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 16 && Arrays.equals(b, 0, 10, new byte[10], 0, 10) && b[10] == (byte) 0xff
                && b[11] == (byte) 0xff) {
            try {
                return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return address;
    }
}
