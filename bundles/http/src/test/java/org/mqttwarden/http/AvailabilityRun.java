package org.mqttwarden.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load run by hand, not a test: a go-auth-like caller (one keep-alive connection, one request at a
 * time) measured alone, with 64 stalled and 1 000 idle connections open, and during a flood of 64
 * clients logging in with unknown usernames (a bcrypt each). Shipped HTTP settings, bcrypt cost 11.
 *
 * <pre>
 * mvn -o -q -pl bundles/http test-compile
 * java -cp bundles/http/target/test-classes:bundles/http/target/classes:$(cat /tmp/http-cp.txt) \
 *     org.mqttwarden.http.AvailabilityRun [seconds per scenario, 10]
 * </pre>
 * (the class path from {@code dependency:build-classpath -Dmdep.includeScope=test}).
 */
public final class AvailabilityRun {

    private static final String JSON = "application/json";
    private static final String LOGIN =
            "{\"clientid\":\"s1\",\"password\":\"sensor1-secret\",\"username\":\"sensor1\"}";

    private AvailabilityRun() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path dir = Files.createTempDirectory("warden-availability");
        try (WardenStack warden = new WardenStack(dir, Map.of("bcrypt.cost", 11))) {
            warden.account("sensor1", "sensor1-secret", "sensor");
            GoAuthServer server = warden.serve(HttpSettings.loopback("status"));
            int port = server.port();
            try (RawHttp goAuth = RawHttp.connect(port)) {
                check(goAuth.send("POST", "/user", JSON, LOGIN), 200);
                measure("warm-up", goAuth, seconds);
                measure("alone", goAuth, seconds);

                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong stalledClosed = new AtomicLong();
                List<Thread> stallers = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    stallers.add(daemon(() -> stall(port, stop, stalledClosed)));
                }
                List<RawHttp> idle = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    idle.add(RawHttp.connect(port));
                }
                measure("64 stalled + 1000 idle", goAuth, seconds);
                stop.set(true);
                for (RawHttp c : idle) {
                    c.close();
                }
                for (Thread t : stallers) {
                    t.join();
                }
                System.out.printf("stalled connections closed by the server: %d%n", stalledClosed.get());

                AtomicBoolean floodStop = new AtomicBoolean();
                AtomicLong floodAnswers = new AtomicLong();
                List<Thread> flood = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    int client = i;
                    flood.add(daemon(() -> flood(port, client, floodStop, floodAnswers)));
                }
                measure("64 clients flooding /user with unknown usernames", goAuth, seconds);
                floodStop.set(true);
                for (Thread t : flood) {
                    t.join();
                }
                System.out.printf("flood logins answered meanwhile: %d%n", floodAnswers.get());
            }
        }
    }

    /** One request at a time, as go-auth behind Mosquitto: an ACL check, then a remembered login. */
    private static void measure(String label, RawHttp goAuth, int seconds) throws IOException {
        long[] acl = new long[1 << 16];
        long[] user = new long[1 << 16];
        int n = 0;
        long started = System.nanoTime();
        long end = started + seconds * 1_000_000_000L;
        for (; n < acl.length && System.nanoTime() < end; n++) {
            long t0 = System.nanoTime();
            check(goAuth.send("POST", "/acl", JSON, "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/t"
                    + (n % 50) + "\",\"username\":\"sensor1\"}"), 200);
            long t1 = System.nanoTime();
            check(goAuth.send("POST", "/user", JSON, LOGIN), 200);
            long t2 = System.nanoTime();
            acl[n] = t1 - t0;
            user[n] = t2 - t1;
        }
        acl = Arrays.copyOf(acl, n);
        user = Arrays.copyOf(user, n);
        double elapsed = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "%-50s %6d req in %4.1f s | /acl p50 %5.2f p99 %6.2f max %7.2f ms | /user"
                + " (remembered) p50 %5.2f p99 %6.2f max %7.2f ms%n", label, 2 * n, elapsed, pct(acl, 50),
                pct(acl, 99), pct(acl, 100), pct(user, 50), pct(user, 99), pct(user, 100));
    }

    private static double pct(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int i = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    /** Headers and half a body, then nothing; again as soon as the server has closed the connection. */
    private static void stall(int port, AtomicBoolean stop, AtomicLong closed) {
        byte[] body = "{\"acc\":2,\"clientid\":\"s1\",\"topic\":\"sensor1/t\",\"username\":\"sensor1\"}"
                .getBytes(StandardCharsets.UTF_8);
        while (!stop.get()) {
            try (RawHttp c = RawHttp.connect(port)) {
                c.write(c.head("POST", "/acl", JSON, body.length).getBytes(StandardCharsets.US_ASCII));
                c.write(Arrays.copyOf(body, body.length / 2));
                while (!stop.get()) {
                    if (c.closedByServerWithin(200)) {
                        closed.incrementAndGet();
                        break;
                    }
                }
            } catch (IOException e) {
                // refused or reset: open another
            }
        }
    }

    private static void flood(int port, int client, AtomicBoolean stop, AtomicLong answers) {
        long n = 0;
        while (!stop.get()) {
            try (RawHttp c = RawHttp.connect(port)) {
                c.setReadTimeout(60_000);
                while (!stop.get()) {
                    String json = "{\"clientid\":\"f" + client + "\",\"password\":\"guess-" + n + "-password\","
                            + "\"username\":\"ghost-" + client + "-" + n++ + "\"}";
                    RawHttp.Response r = c.send("POST", "/user", JSON, json);
                    answers.incrementAndGet();
                    if (r.status() != 403) {
                        break;
                    }
                }
            } catch (IOException e) {
                // closed after a 503: open another
            }
        }
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void check(RawHttp.Response r, int status) {
        if (r.status() != status) {
            throw new IllegalStateException("Expected " + status + ", got " + r.status());
        }
    }
}
