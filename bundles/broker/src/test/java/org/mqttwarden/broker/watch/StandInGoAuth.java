package org.mqttwarden.broker.watch;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import javax.net.SocketFactory;

import org.mqttwarden.testsupport.Mosquitto;

/**
 * Where go-auth would call Warden's {@code /user}, in a test: {@code standin-auth.c}, a Mosquitto auth plugin of
 * go-auth's interface version, compiled here with the system's C compiler, asks this server on loopback, one
 * blocking round trip per login, at the very point of Mosquitto's CONNECT handling where go-auth makes its HTTP
 * call. The server hands each login to {@code handler} (client id, username, password; true allows) on its one
 * thread, as Mosquitto makes one call at a time. go-auth itself cannot be installed on this machine.
 */
final class StandInGoAuth implements AutoCloseable {

    /** One login as the plugin reports it. */
    record Login(String clientId, String username, String password) {
    }

    private final ServerSocket server;
    private final Thread thread;
    private final Function<Login, Boolean> handler;
    final Path plugin;

    private StandInGoAuth(ServerSocket server, Path plugin, Function<Login, Boolean> handler) {
        this.server = server;
        this.plugin = plugin;
        this.handler = handler;
        this.thread = new Thread(this::serve, "stand-in-go-auth");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Compiles the plugin into {@code dir} (the test is skipped without a C compiler) and starts the server. */
    static StandInGoAuth start(Path dir, Function<Login, Boolean> handler) throws IOException, InterruptedException {
        Path source = dir.resolve("standin-auth.c");
        try (InputStream in = Objects.requireNonNull(StandInGoAuth.class.getResourceAsStream("standin-auth.c"))) {
            Files.copy(in, source);
        }
        Path plugin = dir.resolve("standin-auth.so");
        int rc;
        try {
            Process cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-o", plugin.toString(), source.toString())
                    .redirectErrorStream(true).start();
            cc.getInputStream().transferTo(System.out);
            rc = cc.waitFor(60, TimeUnit.SECONDS) ? cc.exitValue() : -1;
        } catch (IOException e) {
            rc = -1;
        }
        assumeThat(rc).as("a C compiler (cc) builds the stand-in auth plugin").isZero();
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new StandInGoAuth(s, plugin, handler);
    }

    /** @return the broker configured to load the plugin, with the generated configuration's log options */
    Mosquitto.Builder configure(Mosquitto.Builder b, Path log) {
        return b.config("auth_plugin " + plugin).config("auth_opt_port " + server.getLocalPort())
                .config("log_dest file " + log).config("log_type notice").config("log_type information")
                .config("connection_messages true").config("log_timestamp true");
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                StringBuilder line = new StringBuilder();
                for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                    line.append((char) c);
                }
                String[] f = new String(line.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)
                        .split("\t", -1);
                boolean allow = f.length == 3 && handler.apply(new Login(f[0], f[1], f[2]));
                s.getOutputStream().write(allow ? '1' : '0');
            } catch (SocketException closed) {
                return;
            } catch (IOException | RuntimeException e) {
                e.printStackTrace();
            }
        }
    }

    /** @return sockets bound to {@code local}, so a client on this machine connects from that loopback address */
    static SocketFactory from(InetAddress local) {
        return new SocketFactory() {
            @Override
            public Socket createSocket() throws IOException {
                Socket s = new Socket();
                s.bind(new InetSocketAddress(local, 0));
                return s;
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                Socket s = createSocket();
                s.connect(new InetSocketAddress(host, port));
                return s;
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                Socket s = createSocket();
                s.connect(new InetSocketAddress(host, port));
                return s;
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        thread.join(5000);
    }
}
