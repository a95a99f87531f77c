package org.mqttwarden.benchmarks;

import static org.mqttwarden.benchmarks.LoadRun.json;
import static org.mqttwarden.benchmarks.LoadRun.request;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.mqttwarden.benchmarks.LoadRun.RawClient;
import org.mqttwarden.benchmarks.LoadRun.Target;

/**
 * Issue 9's attacks and storms against a running gateway, each seen by a caller that behaves like
 * go-auth behind Mosquitto: one keep-alive connection, one request at a time, go-auth's request shapes,
 * a 2 s answer timeout. For each scenario it reports the share of that caller's time the broker would
 * have been frozen, and what a legitimate device got meanwhile.
 *
 * <pre>
 * java -cp $CP org.mqttwarden.benchmarks.FreezeRun --url http://127.0.0.1:19180 --mode all \
 *     --user bench-u --password 'bench-u-password-1234' --topic bench-u/t --device bench-d:wd1_... --seconds 10
 * </pre>
 *
 * Modes: {@code flood} (random usernames and passwords on every other call of the caller, or
 * {@code --attack-rate} per second), {@code stall}
 * (64 connections stalled half-way through a body and 1 000 idle ones), {@code local-flood} (64 local
 * connections flooding /user with unknown usernames), {@code lockout} (30 wrong passwords for the
 * device's username from 30 other client ids), {@code all}; and {@code sweep} ({@code /acl} for every account
 * of a {@code --users-file}).
 */
public final class FreezeRun {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int GO_AUTH_TIMEOUT_MS = 2000;

    private final Target target;
    private final String user;
    private final String password;
    private final String clientId;
    private final String topic;
    private final String device;
    private final String deviceSecret;
    private final int seconds;
    /** Attacker logins per second at most; 0: one on every other call of the caller. */
    private final int attackRate;

    private FreezeRun(Map<String, String> o) {
        URI url = URI.create(o.getOrDefault("url", "http://127.0.0.1:9180"));
        this.target = new Target("warden", url.getHost(), url.getPort());
        this.user = o.getOrDefault("user", "bench-u");
        this.password = o.get("password");
        this.clientId = o.getOrDefault("client-id", "c-" + user);
        this.topic = o.getOrDefault("topic", user + "/t");
        String d = o.get("device");
        int colon = d == null ? -1 : d.indexOf(':');
        if (password == null || colon < 1) {
            throw new IllegalArgumentException("--password and --device name:secret are needed");
        }
        this.device = d.substring(0, colon);
        this.deviceSecret = d.substring(colon + 1);
        this.seconds = Integer.parseInt(o.getOrDefault("seconds", "10"));
        this.attackRate = Integer.parseInt(o.getOrDefault("attack-rate", "0"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String mode = o.getOrDefault("mode", "all");
        if (mode.equals("sweep")) {
            sweep(o);
            return;
        }
        FreezeRun run = new FreezeRun(o);
        run.warm();
        if (mode.equals("all") || mode.equals("flood")) {
            run.flood();
        }
        if (mode.equals("all") || mode.equals("stall")) {
            run.stall();
        }
        if (mode.equals("all") || mode.equals("local-flood")) {
            run.localFlood();
        }
        if (mode.equals("all") || mode.equals("lockout")) {
            run.lockoutAbuse();
        }
    }

    // ---- requests as go-auth sends them

    private byte[] login(String username, String secret, String client) {
        return request(target, "/user", json("clientid", client, "password", secret, "username", username));
    }

    private byte[] acl() {
        return request(target, "/acl", json("acc", 2, "clientid", clientId, "topic", topic, "username", user));
    }

    private byte[] attacker() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        String r = HexFormat.of().formatHex(b);
        return login("x-" + r, "guess-" + r + "-" + r, "cl-" + r);
    }

    /** go-auth's client: one keep-alive connection, a timeout, a new connection after a failure. */
    private final class Caller implements AutoCloseable {
        private RawClient client;

        /** @return the status, or -1 for no answer within go-auth's timeout (or a broken connection) */
        int call(byte[] request) {
            try {
                if (client == null) {
                    client = new RawClient(target, GO_AUTH_TIMEOUT_MS);
                }
                return client.exchange(request);
            } catch (IOException e) {
                close();
                return -1;
            }
        }

        @Override
        public void close() {
            if (client != null) {
                client.close();
                client = null;
            }
        }
    }

    /** The legitimate accounts log in once: their source is trusted, their verification remembered. */
    private void warm() {
        try (Caller c = new Caller()) {
            System.out.printf(Locale.ROOT, "warm-up: %s login %d, %s login %d, /acl %d%n", user,
                    c.call(login(user, password, clientId)), device, c.call(login(device, deviceSecret,
                            "c-" + device)), c.call(acl()));
        }
    }

    // ---- scenarios

    private void flood() {
        System.out.printf(Locale.ROOT, "%n## Flood: random usernames and passwords %s of one sequential go-auth"
                + " caller, %d s (after %d s of the legitimate flow alone)%n%n", attackRate == 0
                        ? "on every other call" : "at " + attackRate + " per second, between the legitimate calls",
                seconds, seconds);
        try (Caller c = new Caller()) {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long legit = 0;
            while (System.nanoTime() < end) {
                c.call(acl());
                legit++;
            }
            double baseline = legit / (double) seconds;

            Map<Integer, Integer> statuses = new TreeMap<>();
            long attackNanos = 0;
            long attackMax = 0;
            long attacks = 0;
            legit = 0;
            long start = System.nanoTime();
            end = start + seconds * 1_000_000_000L;
            long half = start + seconds * 500_000_000L;
            String deviceResult = null;
            String userResult = null;
            long nextAttack = start;
            long gap = attackRate == 0 ? 0 : 1_000_000_000L / attackRate;
            while (System.nanoTime() < end) {
                long s = System.nanoTime();
                if (s >= nextAttack) {
                    nextAttack = attackRate == 0 ? s : Math.max(nextAttack + gap, s - 1_000_000_000L);
                    statuses.merge(c.call(attacker()), 1, Integer::sum);
                    long t = System.nanoTime() - s;
                    attackNanos += t;
                    attackMax = Math.max(attackMax, t);
                    attacks++;
                }
                c.call(acl());
                legit++;
                if (deviceResult == null && System.nanoTime() > half) {
                    deviceResult = timed(c, login(device, deviceSecret, "c-" + device));
                    userResult = timed(c, login(user, password, clientId));
                }
            }
            double wall = (System.nanoTime() - start) / 1e9;
            System.out.println("| attacker calls | statuses | share of the caller's time on attacker logins |"
                    + " slowest attacker call (ms) | legitimate /acl per s (alone -> under attack) | device login"
                    + " mid-attack | typed-password login mid-attack |");
            System.out.println("|---|---|---|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| %d | %s | %.1f %% | %.1f | %.0f -> %.0f (%.0f %%) | %s | %s |%n",
                    attacks, statuses, 100.0 * attackNanos / 1e9 / wall, attackMax / 1e6, baseline, legit / wall,
                    100.0 * legit / wall / baseline, deviceResult, userResult);
        }
    }

    private void stall() throws Exception {
        System.out.printf(Locale.ROOT, "%n## Stalled and idle clients: 64 connections stalled half-way through a"
                + " body, 1 000 idle ones, while the go-auth caller works%n%n");
        try (Caller c = new Caller()) {
            System.out.println("| phase | /acl p50 (ms) | /acl p99 (ms) | /user p50 (ms) | /user p99 (ms) |"
                    + " not 200 |");
            System.out.println("|---|---|---|---|---|---|");
            measure("without them", c);
            List<Socket> idle = new ArrayList<>();
            List<Socket> stalled = new ArrayList<>();
            int idleRefused = 0;
            for (int i = 0; i < 1000; i++) {
                try {
                    idle.add(open());
                } catch (IOException e) {
                    idleRefused++;
                }
            }
            byte[] half = ("POST /acl HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"acc\":2,\"clientid\":\"c\",\"topic\":")
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 64; i++) {
                Socket s = open();
                OutputStream out = s.getOutputStream();
                out.write(half);
                out.flush();
                stalled.add(s);
            }
            long opened = System.nanoTime();
            measure("with 64 stalled + " + idle.size() + " idle (" + idleRefused + " refused)", c);
            int stalledClosed = closedWithin(stalled, 10_000);
            double after = (System.nanoTime() - opened) / 1e9;
            int idleClosed = closedWithin(idle, 1);
            System.out.printf(Locale.ROOT, "%nclosed by the server: %d of 64 stalled (checked until %.1f s after"
                    + " they stalled), %d of %d idle%n", stalledClosed, after, idleClosed, idle.size());
            for (Socket s : idle) {
                s.close();
            }
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(target.host(), target.port()), 2000);
        return s;
    }

    /** @return how many of the sockets the server closed (EOF or reset) within the time */
    private static int closedWithin(List<Socket> sockets, long millis) throws IOException {
        long deadline = System.currentTimeMillis() + millis;
        boolean[] closed = new boolean[sockets.size()];
        int n = 0;
        for (int i = 0; i < sockets.size(); i++) {
            Socket s = sockets.get(i);
            long left = deadline - System.currentTimeMillis();
            s.setSoTimeout((int) Math.max(1, left));
            try {
                InputStream in = s.getInputStream();
                while (in.read() >= 0) {
                    // an answer (e.g. 408) before the close
                }
                closed[i] = true;
            } catch (SocketTimeoutException e) {
                closed[i] = false;
            } catch (IOException e) {
                closed[i] = true;
            }
            n += closed[i] ? 1 : 0;
        }
        return n;
    }

    private void measure(String phase, Caller c) {
        int n = 3000;
        long[] acl = new long[n];
        long[] usr = new long[n];
        int failed = 0;
        byte[] a = acl();
        byte[] u = login(user, password, clientId);
        long deadline = System.nanoTime() + 30_000_000_000L; // a server that does not answer: stop after 30 s
        int done = 0;
        while (done < n && System.nanoTime() < deadline) {
            long s = System.nanoTime();
            failed += c.call(a) == 200 ? 0 : 1;
            acl[done] = System.nanoTime() - s;
            s = System.nanoTime();
            failed += c.call(u) == 200 ? 0 : 1;
            usr[done] = System.nanoTime() - s;
            done++;
        }
        acl = Arrays.copyOf(acl, done);
        usr = Arrays.copyOf(usr, done);
        Arrays.sort(acl);
        Arrays.sort(usr);
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %d of %d |%n", phase, p(acl, 0.5),
                p(acl, 0.99), p(usr, 0.5), p(usr, 0.99), failed, 2 * done);
    }

    private void localFlood() throws InterruptedException {
        System.out.printf(Locale.ROOT, "%n## Local flood: 64 connections sending /user for new unknown usernames"
                + " as fast as they are answered, %d s, while the go-auth caller logs a known device in%n%n",
                seconds);
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        List<Thread> flooders = new ArrayList<>();
        for (int k = 0; k < 64; k++) {
            Thread t = new Thread(() -> {
                try (Caller c = new Caller()) {
                    while (!stop.get()) {
                        statuses.merge(c.call(attacker()), 1, Integer::sum);
                    }
                }
            }, "flood-" + k);
            t.setDaemon(true);
            flooders.add(t);
            t.start();
        }
        try (Caller c = new Caller()) {
            List<Long> remembered = new ArrayList<>();
            List<Long> generated = new ArrayList<>();
            List<Long> acls = new ArrayList<>();
            int failed = 0;
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            byte[] u = login(user, password, clientId);
            byte[] d = login(device, deviceSecret, "c-" + device);
            byte[] a = acl();
            while (System.nanoTime() < end) {
                long s = System.nanoTime();
                failed += c.call(u) == 200 ? 0 : 1;
                remembered.add(System.nanoTime() - s);
                s = System.nanoTime();
                failed += c.call(d) == 200 ? 0 : 1;
                generated.add(System.nanoTime() - s);
                s = System.nanoTime();
                failed += c.call(a) == 200 ? 0 : 1;
                acls.add(System.nanoTime() - s);
            }
            stop.set(true);
            for (Thread t : flooders) {
                t.join(5000);
            }
            System.out.println("| what | n | p50 (ms) | p99 (ms) | max (ms) |");
            System.out.println("|---|---|---|---|---|");
            row("remembered login (typed password)", remembered);
            row("device login (generated secret)", generated);
            row("/acl", acls);
            System.out.printf(Locale.ROOT, "%nlegitimate calls not answered 200: %d; flood answers: %s%n", failed,
                    new TreeMap<>(statuses));
        }
    }

    private void lockoutAbuse() {
        System.out.printf(Locale.ROOT, "%n## Lockout abuse: 30 wrong passwords for %s from 30 other client ids,"
                + " then the device reconnects%n%n", device);
        try (Caller c = new Caller()) {
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (int i = 0; i < 30; i++) {
                statuses.merge(c.call(login(device, "wrong guess " + i, "attacker-" + i)), 1, Integer::sum);
            }
            System.out.printf(Locale.ROOT, "attacker answers %s; the device's own login: %s; an attacker with the"
                    + " right secret from a new client id: %s%n", statuses,
                    timed(c, login(device, deviceSecret, "c-" + device)),
                    timed(c, login(device, deviceSecret, "attacker-new")));
        }
    }

    /**
     * Every account of a {@code --users-file} (as ScaleRun writes it) asks {@code /acl} twice, one call at a
     * time: publish under its own namespace, read its own rule's topic ({@code plant/<name>/cmd/x}).
     */
    private static void sweep(Map<String, String> o) throws IOException {
        URI url = URI.create(o.getOrDefault("url", "http://127.0.0.1:9180"));
        Target target = new Target("warden", url.getHost(), url.getPort());
        List<String> users = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(o.get("users-file")))) {
            if (line.indexOf(':') > 0) {
                users.add(line.substring(0, line.indexOf(':')));
            }
        }
        long[] times = new long[2 * users.size()];
        Map<Integer, Integer> statuses = new TreeMap<>();
        long start = System.nanoTime();
        try (RawClient c = new RawClient(target, GO_AUTH_TIMEOUT_MS)) {
            int k = 0;
            for (String u : users) {
                for (String[] q : new String[][] {{"2", u + "/temp"}, {"1", "plant/" + u + "/cmd/x"}}) {
                    byte[] r = request(target, "/acl", json("acc", Integer.parseInt(q[0]), "clientid", u, "topic",
                            q[1], "username", u));
                    long s = System.nanoTime();
                    statuses.merge(c.exchange(r), 1, Integer::sum);
                    times[k++] = System.nanoTime() - s;
                }
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        Arrays.sort(times);
        System.out.printf(Locale.ROOT, "%n## /acl for every one of %d accounts, twice, one call at a time%n%n"
                + "| calls | wall (s) | p50 (ms) | p99 (ms) | max (ms) | statuses |%n|---|---|---|---|---|---|%n"
                + "| %d | %.1f | %.3f | %.3f | %.3f | %s |%n", users.size(), times.length, wall, p(times, 0.5),
                p(times, 0.99), times[times.length - 1] / 1e6, statuses);
    }

    // ---- figures

    private static String timed(Caller c, byte[] request) {
        long s = System.nanoTime();
        int status = c.call(request);
        return String.format(Locale.ROOT, "%d in %.1f ms", status, (System.nanoTime() - s) / 1e6);
    }

    private static void row(String what, List<Long> nanos) {
        long[] a = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f |%n", what, a.length, p(a, 0.5), p(a, 0.99),
                a.length == 0 ? 0 : a[a.length - 1] / 1e6);
    }

    private static double p(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
