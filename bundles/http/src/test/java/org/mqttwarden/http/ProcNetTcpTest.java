package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the owner of a loopback peer's socket out of {@code /proc/net/tcp} and {@code tcp6}. */
class ProcNetTcpTest {

    private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode";
    /** A client on 127.0.0.1:45678 (0xB26E) connected to 127.0.0.1:9180 (0x23DC), owned by uid 107. */
    private static final String CLIENT_V4 = "   3: 0100007F:B26E 0100007F:23DC 01 00000000:00000000 00:00000000"
            + " 00000000   107        0 81234 1 0000000000000000 20 4 30 10 -1";
    private static final String LISTEN_V4 = "   0: 0100007F:23DC 00000000:0000 0A 00000000:00000000 00:00000000"
            + " 00000000     0        0 1521 1 00000000ad25cf25 100 0 0 10 0";
    /** The same client over IPv6 ::1, port 45679 (0xB26F), uid 4294967294. */
    private static final String CLIENT_V6 = "   1: 00000000000000000000000001000000:B26F"
            + " 00000000000000000000000001000000:23DC 01 00000000:00000000 00:00000000 00000000 4294967294"
            + "        0 99 1 0000000000000000 20 4 30 10 -1";

    @TempDir
    Path dir;

    @Test
    void parsesAnIpv4RowInTheKernelsLittleEndianOrder() throws Exception {
        ProcNetTcp.Entry e = ProcNetTcp.parse(CLIENT_V4, ByteOrder.LITTLE_ENDIAN);

        assertThat(e.local()).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 45678));
        assertThat(e.remote()).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9180));
        assertThat(e.state()).isEqualTo(1);
        assertThat(e.uid()).isEqualTo(107);
    }

    @Test
    void parsesBigEndianAndIpv6Rows() throws Exception {
        ProcNetTcp.Entry big = ProcNetTcp.parse(CLIENT_V4.replace("0100007F", "7F000001"), ByteOrder.BIG_ENDIAN);
        assertThat(big.local().getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));

        ProcNetTcp.Entry v6 = ProcNetTcp.parse(CLIENT_V6, ByteOrder.LITTLE_ENDIAN);
        assertThat(v6.local()).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 45679));
        assertThat(Integer.toUnsignedLong(v6.uid())).isEqualTo(4294967294L);

        // an IPv4-mapped address (::ffff:127.0.0.1) comes back as IPv4
        String mapped = CLIENT_V6.replace("00000000000000000000000001000000:B26F",
                "0000000000000000FFFF00000100007F:B26F");
        assertThat(ProcNetTcp.parse(mapped, ByteOrder.LITTLE_ENDIAN).local().getAddress())
                .isEqualTo(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void skipsWhatIsNotARow() {
        assertThat(ProcNetTcp.parse(HEADER, ByteOrder.LITTLE_ENDIAN)).isNull();
        assertThat(ProcNetTcp.parse("", ByteOrder.LITTLE_ENDIAN)).isNull();
        assertThat(ProcNetTcp.parse("   3: 0100007F:B26E 0100007F:23DC 01", ByteOrder.LITTLE_ENDIAN)).isNull();
        assertThat(ProcNetTcp.parse(CLIENT_V4.replace("0100007F:B26E", "0100007:B26E"), ByteOrder.LITTLE_ENDIAN))
                .isNull();
        assertThat(ProcNetTcp.parse(CLIENT_V4.replace("   107 ", "   -1 "), ByteOrder.LITTLE_ENDIAN)).isNull();
        assertThat(ProcNetTcp.parse(CLIENT_V4.replace("B26E", "ZZZZ"), ByteOrder.LITTLE_ENDIAN)).isNull();
    }

    @Test
    void findsTheClientsSocketNotOursNorAListener() throws Exception {
        Path tcp = dir.resolve("tcp");
        // our own end of the connection (local 9180, remote 45678) and a socket in TIME_WAIT must not match
        String ours = "   4: 0100007F:23DC 0100007F:B26E 01 00000000:00000000 00:00000000 00000000   999        0 1";
        String timeWait = "   5: 0100007F:B26E 0100007F:23DC 06 00000000:00000000 03:00000000 00000000     0 0 0";
        Files.write(tcp, List.of(HEADER, LISTEN_V4, ours, timeWait, CLIENT_V4));
        ProcNetTcp tables = new ProcNetTcp(List.of(tcp, dir.resolve("tcp6-missing")), ByteOrder.LITTLE_ENDIAN);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");

        assertThat(tables.ownerOf(new InetSocketAddress(loopback, 45678), new InetSocketAddress(loopback, 9180)))
                .hasValue(107);
        assertThat(tables.ownerOf(new InetSocketAddress(loopback, 45677), new InetSocketAddress(loopback, 9180)))
                .isEmpty();

        Files.write(tcp, List.of(HEADER, timeWait));
        assertThat(tables.ownerOf(new InetSocketAddress(loopback, 45678), new InetSocketAddress(loopback, 9180)))
                .as("a socket in TIME_WAIT has no owner").isEmpty();
    }

    @Test
    void findsTheOwnerOfARealLoopbackConnectionOnThisMachine() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                Socket client = new Socket("127.0.0.1", server.getLocalPort());
                Socket accepted = server.accept()) {
            OptionalInt owner = ProcNetTcp.system().ownerOf((InetSocketAddress) accepted.getRemoteSocketAddress(),
                    (InetSocketAddress) accepted.getLocalSocketAddress());

            assertThat(owner).hasValue(uid);
        }
    }

    @Test
    void findsAListenerByItsPortAtAnyAddressAndNothingElse() throws Exception {
        Path tcp = dir.resolve("tcp");
        Path tcp6 = dir.resolve("tcp6");
        Files.write(tcp, List.of(HEADER, CLIENT_V4, LISTEN_V4));
        // an SSH server on [::]:8101 (0x1FA5), as Karaf's binds by default
        Files.write(tcp6, List.of(HEADER, "   0: 00000000000000000000000000000000:1FA5"
                + " 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0"
                + " 4242 1 0000000000000000 100 0 0 10 0"));
        ProcNetTcp tables = new ProcNetTcp(List.of(tcp, tcp6), ByteOrder.LITTLE_ENDIAN);

        assertThat(tables.listening(9180)).isTrue();
        assertThat(tables.listening(8101)).isTrue();
        assertThat(tables.listening(45678)).as("a connected socket's port is no listener").isFalse();
        assertThat(new ProcNetTcp(List.of(tcp, dir.resolve("tcp6-missing")), ByteOrder.LITTLE_ENDIAN).listening(8101))
                .isFalse();
    }

    @Test
    void seesARealListenerOnThisMachineComeAndGo() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = server.getLocalPort();
            assertThat(ProcNetTcp.system().listening(port)).isTrue();
        }
        assertThat(ProcNetTcp.system().listening(port)).isFalse();
    }
}
