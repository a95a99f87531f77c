package org.mqttwarden.benchmarks;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Load run against a running gateway's go-auth HTTP backend, in one JVM run with bounded counts and
 * times:
 * <ol>
 * <li>{@code latency}: one keep-alive connection, one request at a time, {@code /superuser} and
 * {@code /acl} on Warden, and the same {@code /acl} request against two empty Undertow handlers
 * started here on loopback (one answering on the IO thread, one that reads the body and dispatches
 * to a bounded pool of 8 as Warden does);</li>
 * <li>{@code throughput}: N keep-alive connections, one thread each, on {@code /acl} for a fixed
 * time, Warden and both empty handlers;</li>
 * <li>{@code storm}: every account of a users file authenticates once through {@code /user} with a
 * few concurrent connections, twice: cold (each a bcrypt) and warm (remembered verifications);</li>
 * <li>{@code decisions}: one keep-alive connection, sequential, the three paths the audit log sees
 * differently: a cached {@code /acl} allow, a {@code /user} login with the right password
 * (remembered verification) and an {@code /acl} denial (security-relevant: with the audit
 * installed, answered only after its row is committed). Run with and without the audit.</li>
 * </ol>
 * Requests are written as exact HTTP/1.1 bytes on a plain {@link Socket}, the way go-auth's Go
 * client sends them (JSON bodies, sorted keys), and answers are read by Content-Length, so the
 * client adds next to nothing to what is measured.
 *
 * <pre>
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) org.mqttwarden.benchmarks.LoadRun \
 *     --url http://127.0.0.1:9180 --mode all --user bench-u --topic bench-u/t --users-file users.txt
 * </pre>
 */
public final class LoadRun {

    private static final String USAGE = """
            usage: LoadRun [options]
              --url URL             Warden's go-auth base URL (default http://127.0.0.1:9180)
              --mode M              latency | throughput | storm | all (default all), or serve: only run
                                    the two empty handlers (--port-io, --port-dispatch) for --serve-seconds,
                                    to measure them from another JVM like Warden
              --label L             name of the --url target in the report (default warden)
              --user NAME           account for /superuser and /acl (default u)
              --client-id ID        client id in /acl (default c)
              --topic T             topic that --user may read (acc 1) (default t)
              --n N                 measured sequential requests per target (default 20000)
              --warmup N            sequential warm-up requests per target (default 5000)
              --connections N       concurrent connections for throughput (default 16)
              --seconds S           measured throughput time per target (default 10)
              --warmup-seconds S    throughput warm-up per target, not counted (default 2)
              --users-file F        username:password per line, for storm
              --password P          decisions: --user's password, for /user
              --deny-topic T        decisions: a topic --user may not publish to (default forbidden/t; empty: skip)
              --storm-connections N concurrent connections for storm (default 8)
              --no-baseline         skip the empty-handler baselines
              --port-io P           serve: port of the IO-thread empty handler (default 19181)
              --port-dispatch P     serve: port of the dispatching empty handler (default 19182)
              --serve-seconds S     serve: how long to serve before exiting (default 300)
            """;

    /** Held so that the quieter levels stick: Undertow and XNIO announce themselves at INFO through JUL. */
    private static final List<java.util.logging.Logger> QUIET = List.of(
            java.util.logging.Logger.getLogger("io.undertow"), java.util.logging.Logger.getLogger("org.xnio"));

    private LoadRun() {
    }

    record Options(URI url, String mode, String user, String clientId, String topic, int n, int warmup,
            int connections, int seconds, int warmupSeconds, Path usersFile, int stormConnections, boolean baseline,
            int portIo, int portDispatch, int serveSeconds, String label, String password, String denyTopic) {

        static Options parse(String[] args) {
            Map<String, String> v = new TreeMap<>();
            boolean baseline = true;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--no-baseline")) {
                    baseline = false;
                } else if (a.equals("--help") || a.equals("-h")) {
                    System.out.print(USAGE);
                    System.exit(0);
                } else if (a.startsWith("--") && i + 1 < args.length) {
                    v.put(a.substring(2), args[++i]);
                } else {
                    throw new IllegalArgumentException("Unexpected argument '" + a + "'\n" + USAGE);
                }
            }
            Options o = new Options(URI.create(v.getOrDefault("url", "http://127.0.0.1:9180")),
                    v.getOrDefault("mode", "all"), v.getOrDefault("user", "u"), v.getOrDefault("client-id", "c"),
                    v.getOrDefault("topic", "t"), Integer.parseInt(v.getOrDefault("n", "20000")),
                    Integer.parseInt(v.getOrDefault("warmup", "5000")),
                    Integer.parseInt(v.getOrDefault("connections", "16")),
                    Integer.parseInt(v.getOrDefault("seconds", "10")),
                    Integer.parseInt(v.getOrDefault("warmup-seconds", "2")),
                    v.containsKey("users-file") ? Path.of(v.get("users-file")) : null,
                    Integer.parseInt(v.getOrDefault("storm-connections", "8")), baseline,
                    Integer.parseInt(v.getOrDefault("port-io", "19181")),
                    Integer.parseInt(v.getOrDefault("port-dispatch", "19182")),
                    Integer.parseInt(v.getOrDefault("serve-seconds", "300")), v.getOrDefault("label", "warden"),
                    v.get("password"), v.getOrDefault("deny-topic", "forbidden/t"));
            List<String> known = List.of("url", "mode", "user", "client-id", "topic", "n", "warmup", "connections",
                    "seconds", "warmup-seconds", "users-file", "storm-connections", "port-io", "port-dispatch",
                    "serve-seconds", "label", "password", "deny-topic");
            for (String k : v.keySet()) {
                if (!known.contains(k)) {
                    throw new IllegalArgumentException("Unknown option --" + k + "\n" + USAGE);
                }
            }
            if (!List.of("latency", "throughput", "storm", "all", "serve", "decisions").contains(o.mode)) {
                throw new IllegalArgumentException("--mode must be latency, throughput, storm, all, serve or"
                        + " decisions\n" + USAGE);
            }
            if (o.mode.equals("decisions") && o.password == null) {
                throw new IllegalArgumentException("--password is needed for decisions\n" + USAGE);
            }
            if ((o.mode.equals("storm") || o.mode.equals("all")) && o.usersFile == null) {
                throw new IllegalArgumentException("--users-file is needed for the storm\n" + USAGE);
            }
            return o;
        }

        boolean runs(String m) {
            return mode.equals("all") || mode.equals(m);
        }
    }

    /** One HTTP endpoint: where to connect and what to call it in the report. */
    record Target(String label, String host, int port) {
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        QUIET.forEach(l -> l.setLevel(java.util.logging.Level.WARNING));
        if (o.mode.equals("serve")) {
            serve(o);
            return;
        }
        if (o.mode.equals("decisions")) {
            decisions(o);
            return;
        }
        Target warden = new Target(o.label, o.url.getHost(), o.url.getPort() < 0 ? 80 : o.url.getPort());
        byte[] acl = request(warden, "/acl", json("acc", 1, "clientid", o.clientId, "topic", o.topic,
                "username", o.user));
        byte[] superuser = request(warden, "/superuser", json("username", o.user));
        System.out.printf(Locale.ROOT, "LoadRun against %s, mode %s, %d cores, java %s%n", o.url, o.mode,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        List<Undertow> baselines = new ArrayList<>();
        ThreadPoolExecutor pool = null;
        Target emptyIo = null;
        Target emptyDispatch = null;
        try {
            if (o.baseline && (o.runs("latency") || o.runs("throughput"))) {
                Undertow io = emptyServer(LoadRun::emptyAnswer, 0);
                baselines.add(io);
                emptyIo = new Target("empty (IO thread)", "127.0.0.1", portOf(io));
                pool = boundedPool(8, 1024);
                Undertow dispatching = emptyServer(dispatchingHandler(pool), 0);
                baselines.add(dispatching);
                emptyDispatch = new Target("empty (dispatch to pool of 8)", "127.0.0.1", portOf(dispatching));
            }
            if (o.runs("latency")) {
                System.out.printf(Locale.ROOT, "%n## Sequential latency: 1 keep-alive connection, %d warm-up + %d"
                        + " measured requests per target (microseconds)%n%n", o.warmup, o.n);
                System.out.println("| target | path | p50 | p90 | p99 | max | mean | statuses |");
                System.out.println("|---|---|---|---|---|---|---|---|");
                Latency su = latency(warden, superuser, o);
                su.print(warden.label, "/superuser");
                Latency wa = latency(warden, acl, o);
                wa.print(warden.label, "/acl");
                if (emptyIo != null) {
                    Latency ei = latency(emptyIo, retarget(acl, warden, emptyIo), o);
                    ei.print(emptyIo.label, "/acl");
                    Latency ed = latency(emptyDispatch, retarget(acl, warden, emptyDispatch), o);
                    ed.print(emptyDispatch.label, "/acl");
                    System.out.printf(Locale.ROOT, "%nRatio %s /acl p50 / empty (IO thread) p50: %.2f;"
                            + " / empty (dispatch) p50: %.2f%n", warden.label, wa.p(0.50) / ei.p(0.50),
                            wa.p(0.50) / ed.p(0.50));
                    System.out.printf(Locale.ROOT, "Ratio %s /superuser p50 / empty (IO thread) p50: %.2f;"
                            + " / empty (dispatch) p50: %.2f%n", warden.label, su.p(0.50) / ei.p(0.50),
                            su.p(0.50) / ed.p(0.50));
                }
            }
            if (o.runs("throughput")) {
                System.out.printf(Locale.ROOT, "%n## Throughput: %d keep-alive connections (one thread each) on /acl,"
                        + " %d s warm-up then %d s measured%n%n", o.connections, o.warmupSeconds, o.seconds);
                System.out.println("| target | requests/s | requests | non-200 | errors |");
                System.out.println("|---|---|---|---|---|");
                throughput(warden, acl, o).print(warden.label);
                if (emptyIo != null) {
                    throughput(emptyIo, retarget(acl, warden, emptyIo), o).print(emptyIo.label);
                    throughput(emptyDispatch, retarget(acl, warden, emptyDispatch), o).print(emptyDispatch.label);
                }
            }
        } finally {
            baselines.forEach(Undertow::stop);
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        if (o.runs("storm")) {
            storm(warden, o);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Sequential latency

    /** Sorted per-request times in nanoseconds, and the status codes seen. */
    record Latency(long[] sortedNanos, Map<Integer, Integer> statuses) {

        /** @return the q-quantile in microseconds (nearest rank) */
        double p(double q) {
            int rank = (int) Math.ceil(q * sortedNanos.length);
            return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1000.0;
        }

        double meanMicros() {
            return Arrays.stream(sortedNanos).average().orElse(0) / 1000.0;
        }

        void print(String target, String path) {
            System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %s |%n", target, path,
                    p(0.50), p(0.90), p(0.99), p(1.0), meanMicros(), statuses);
        }
    }

    /** Only the two empty handlers, on fixed loopback ports, for a bounded time. */
    static void serve(Options o) throws InterruptedException {
        ThreadPoolExecutor pool = boundedPool(8, 1024);
        Undertow io = emptyServer(LoadRun::emptyAnswer, o.portIo);
        Undertow dispatching = emptyServer(dispatchingHandler(pool), o.portDispatch);
        System.out.printf(Locale.ROOT, "Serving empty handlers for %d s: IO thread on 127.0.0.1:%d, dispatching on"
                + " 127.0.0.1:%d%n", o.serveSeconds, portOf(io), portOf(dispatching));
        try {
            Thread.sleep(TimeUnit.SECONDS.toMillis(o.serveSeconds));
        } finally {
            io.stop();
            dispatching.stop();
            pool.shutdownNow();
        }
    }

    static Latency latency(Target t, byte[] request, Options o) throws IOException {
        try (RawClient c = new RawClient(t)) {
            for (int i = 0; i < o.warmup; i++) {
                c.exchange(request);
            }
            long[] times = new long[o.n];
            int[] codes = new int[o.n];
            for (int i = 0; i < o.n; i++) {
                long start = System.nanoTime();
                codes[i] = c.exchange(request);
                times[i] = System.nanoTime() - start;
            }
            Arrays.sort(times);
            return new Latency(times, tally(codes));
        }
    }

    /** The three paths the audit log treats differently, one after the other on one connection. */
    static void decisions(Options o) throws IOException {
        Target warden = new Target(o.label, o.url.getHost(), o.url.getPort() < 0 ? 80 : o.url.getPort());
        byte[] allow = request(warden, "/acl", json("acc", 1, "clientid", o.clientId, "topic", o.topic,
                "username", o.user));
        byte[] login = request(warden, "/user", json("clientid", o.clientId, "password", o.password, "username",
                o.user));
        byte[] deny = request(warden, "/acl", json("acc", 2, "clientid", o.clientId, "topic", o.denyTopic,
                "username", o.user));
        System.out.printf(Locale.ROOT, "LoadRun decisions against %s (%s), %d cores, java %s; %d warm-up + %d"
                + " measured requests per path (microseconds)%n%n", o.url, o.label,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), o.warmup, o.n);
        System.out.println("| target | path | p50 | p90 | p99 | max | mean | statuses |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        latency(warden, allow, o).print(o.label, "/acl allow (cached)");
        latency(warden, login, o).print(o.label, "/user ok (remembered)");
        if (!o.denyTopic.isEmpty()) {
            latency(warden, deny, o).print(o.label, "/acl deny (durable)");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Concurrent throughput

    record Throughput(long requests, long non200, long errors, double seconds) {

        void print(String target) {
            System.out.printf(Locale.ROOT, "| %s | %.0f | %d | %d | %d |%n", target, requests / seconds, requests,
                    non200, errors);
        }
    }

    static Throughput throughput(Target t, byte[] request, Options o) throws InterruptedException {
        LongAdder ok = new LongAdder();
        LongAdder non200 = new LongAdder();
        LongAdder errors = new LongAdder();
        CountDownLatch ready = new CountDownLatch(o.connections);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong window = new AtomicLong();
        long measure = TimeUnit.SECONDS.toNanos(o.seconds);
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < o.connections; k++) {
            Thread th = new Thread(() -> {
                RawClient client;
                try {
                    client = new RawClient(t);
                } catch (IOException e) {
                    errors.increment();
                    return;
                } finally {
                    ready.countDown();
                }
                try (RawClient c = client) {
                    go.await();
                    long from = window.get();
                    long to = from + measure;
                    long now;
                    do {
                        int status = c.exchange(request);
                        now = System.nanoTime();
                        if (now >= from) {
                            if (status == 200) {
                                ok.increment();
                            } else {
                                non200.increment();
                            }
                        }
                    } while (now < to);
                } catch (IOException e) {
                    errors.increment();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "load-" + k);
            threads.add(th);
            th.start();
        }
        ready.await();
        // Requests completing after the warm-up and before its end count; the last one may end a
        // little after the window, which overstates the time by at most one request's latency.
        window.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(o.warmupSeconds));
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        return new Throughput(ok.sum() + non200.sum(), non200.sum(), errors.sum(), o.seconds);
    }

    // ---------------------------------------------------------------------------------------------
    // Reconnect storm

    record Account(String username, String password) {
        @Override
        public String toString() {
            return username;
        }
    }

    static void storm(Target warden, Options o) throws IOException, InterruptedException {
        List<Account> accounts = new ArrayList<>();
        for (String line : Files.readAllLines(o.usersFile, StandardCharsets.UTF_8)) {
            int colon = line.indexOf(':');
            if (!line.isBlank() && colon > 0) {
                accounts.add(new Account(line.substring(0, colon), line.substring(colon + 1)));
            }
        }
        byte[][] requests = new byte[accounts.size()][];
        for (int i = 0; i < requests.length; i++) {
            Account a = accounts.get(i);
            requests[i] = request(warden, "/user", json("clientid", "storm-" + a.username(), "password",
                    a.password(), "username", a.username()));
        }
        System.out.printf(Locale.ROOT, "%n## Reconnect storm: %d accounts through /user, %d concurrent keep-alive"
                + " connections%n%n", requests.length, o.stormConnections);
        System.out.println("| pass | wall time (s) | accounts/s | p50 (ms) | p99 (ms) | max (ms) | statuses |"
                + " started after cold start (s) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        long coldStart = System.nanoTime();
        stormPass("cold", warden, requests, o, coldStart);
        stormPass("warm", warden, requests, o, coldStart);
    }

    static void stormPass(String label, Target t, byte[][] requests, Options o, long coldStart)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        long[] times = new long[requests.length];
        int[] codes = new int[requests.length];
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int k = 0; k < o.stormConnections; k++) {
            Thread th = new Thread(() -> {
                RawClient c = null;
                try {
                    int i;
                    while ((i = next.getAndIncrement()) < requests.length) {
                        if (c == null) {
                            c = new RawClient(t);
                        }
                        long s = System.nanoTime();
                        try {
                            codes[i] = c.exchange(requests[i]);
                        } catch (IOException e) {
                            failures.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                            codes[i] = -1;
                            c.close();
                            c = null;
                        }
                        times[i] = System.nanoTime() - s;
                    }
                } catch (IOException e) {
                    failures.merge("connect: " + e.getClass().getSimpleName(), 1, Integer::sum);
                } finally {
                    if (c != null) {
                        c.close();
                    }
                }
            }, "storm-" + k);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        Arrays.sort(times);
        Latency l = new Latency(times, tally(codes));
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.0f | %.1f | %.1f | %.1f | %s%s | %.1f |%n", label, wall,
                requests.length / wall, l.p(0.50) / 1000, l.p(0.99) / 1000, l.p(1.0) / 1000, l.statuses(),
                failures.isEmpty() ? "" : " " + failures, (start - coldStart) / 1e9);
    }

    // ---------------------------------------------------------------------------------------------
    // The empty baselines

    /** Answers 200 with an empty body at once, on the IO thread. */
    static void emptyAnswer(HttpServerExchange exchange) {
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        exchange.endExchange();
    }

    /** Like Warden's handler without the work: read the body without blocking, answer on a pool thread. */
    static HttpHandler dispatchingHandler(ThreadPoolExecutor pool) {
        return exchange -> exchange.getRequestReceiver().receiveFullBytes(
                (ex, body) -> ex.dispatch(pool, () -> emptyAnswer(ex)),
                (ex, error) -> {
                    ex.setStatusCode(400);
                    ex.endExchange();
                });
    }

    /** Same listener settings as Warden's go-auth server: 2 IO threads, loopback; port 0 is a random one. */
    static Undertow emptyServer(HttpHandler handler, int port) {
        Undertow u = Undertow.builder()
                .addHttpListener(port, "127.0.0.1")
                .setIoThreads(2)
                .setWorkerThreads(1)
                .setHandler(handler)
                .build();
        u.start();
        return u;
    }

    static ThreadPoolExecutor boundedPool(int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue + threads),
                r -> {
                    Thread t = new Thread(r, "empty-pool-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    static int portOf(Undertow u) {
        return ((InetSocketAddress) u.getListenerInfo().get(0).getAddress()).getPort();
    }

    // ---------------------------------------------------------------------------------------------
    // HTTP/1.1 on a plain socket

    /**
     * The request bytes go-auth's Go client sends: POST, Host, Go's User-Agent, Content-Length,
     * Content-Type application/json, Accept-Encoding gzip, then the body.
     */
    static byte[] request(Target t, String path, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: " + t.host() + ":" + t.port() + "\r\n"
                + "User-Agent: Go-http-client/1.1\r\n"
                + "Content-Length: " + b.length + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept-Encoding: gzip\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(h, h.length + b.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }

    /** The same request with the Host header of another target. */
    static byte[] retarget(byte[] request, Target from, Target to) {
        String s = new String(request, StandardCharsets.UTF_8);
        return s.replace("Host: " + from.host() + ":" + from.port() + "\r\n",
                "Host: " + to.host() + ":" + to.port() + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON object from name/value pairs, in the given order (go-auth sends sorted keys). */
    static String json(Object... pairs) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            quote(sb, (String) pairs[i]).append(':');
            if (pairs[i + 1] instanceof Number n) {
                sb.append(n);
            } else {
                quote(sb, (String) pairs[i + 1]);
            }
        }
        return sb.append('}').toString();
    }

    private static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"');
    }

    private static Map<Integer, Integer> tally(int[] codes) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (int c : codes) {
            m.merge(c, 1, Integer::sum);
        }
        return m;
    }

    /**
     * One keep-alive connection. {@link #exchange} writes a prepared request and reads the answer's
     * status line and headers, then skips exactly Content-Length body bytes; a {@code Connection:
     * close} answer makes the next exchange reconnect.
     */
    static final class RawClient implements AutoCloseable {

        private final Target target;
        private final int timeoutMillis;
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private final byte[] line = new byte[8192];

        RawClient(Target target) throws IOException {
            this(target, 30_000);
        }

        /** @param timeoutMillis how long an answer may take before the exchange fails (go-auth: a few s) */
        RawClient(Target target, int timeoutMillis) throws IOException {
            this.target = target;
            this.timeoutMillis = timeoutMillis;
            connect();
        }

        private void connect() throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true); // as Go's net package does by default
            socket.connect(new InetSocketAddress(target.host(), target.port()), 5000);
            socket.setSoTimeout(timeoutMillis);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }

        /** @return the answer's status code */
        int exchange(byte[] request) throws IOException {
            if (socket == null) {
                connect();
            }
            out.write(request);
            out.flush();
            int len = readLine();
            if (len < 12 || line[0] != 'H') {
                throw new IOException("Bad status line: " + new String(line, 0, len, StandardCharsets.ISO_8859_1));
            }
            int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
            long contentLength = 0;
            boolean close = false;
            while ((len = readLine()) > 0) {
                if (startsWithIgnoreCase(len, "content-length:")) {
                    contentLength = Long.parseLong(value(len, 15));
                } else if (startsWithIgnoreCase(len, "connection:")) {
                    close = value(len, 11).equalsIgnoreCase("close");
                } else if (startsWithIgnoreCase(len, "transfer-encoding:")) {
                    throw new IOException("Chunked answers are not expected here");
                }
            }
            for (long left = contentLength; left > 0;) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException("Connection closed inside a body");
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
            if (close) {
                close();
            }
            return status;
        }

        /** Reads one header line without its CRLF into {@link #line}; @return its length */
        private int readLine() throws IOException {
            int n = 0;
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new EOFException("Connection closed by the server");
                }
                if (b != '\r' && n < line.length) {
                    line[n++] = (byte) b;
                }
            }
            return n;
        }

        private boolean startsWithIgnoreCase(int len, String prefix) {
            if (len < prefix.length()) {
                return false;
            }
            for (int i = 0; i < prefix.length(); i++) {
                if (Character.toLowerCase(line[i]) != prefix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private String value(int len, int from) {
            return new String(line, from, len - from, StandardCharsets.ISO_8859_1).trim();
        }

        @Override
        public void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing a loopback socket we are done with: nothing to do
                }
                socket = null;
            }
        }
    }
}
