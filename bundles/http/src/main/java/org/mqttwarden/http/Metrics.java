package org.mqttwarden.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

import org.mqttwarden.api.metrics.MetricSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters and latency histograms of the go-auth endpoints, rendered in the Prometheus text
 * exposition format with the counters and gauges of every {@link MetricSource}. Lock-free on the
 * request path.
 */
final class Metrics {

    enum Endpoint {
        USER("user"),
        SUPERUSER("superuser"),
        ACL("acl");

        final String label;

        Endpoint(String label) {
            this.label = label;
        }
    }

    enum Result {
        ALLOW("allow"),
        DENY("deny"),
        ERROR("error"),
        BAD_REQUEST("bad_request"),
        OVERLOADED("overloaded");

        final String label;

        Result(String label) {
            this.label = label;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);

    /** Names of sources, counters and gauges. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    /** Series the endpoint exposes itself, which no source may expose again. */
    private static final Set<String> OWN_NAMES = Set.of("warden_decisions_total", "warden_request_duration_seconds",
            "warden_request_duration_seconds_bucket", "warden_request_duration_seconds_sum",
            "warden_request_duration_seconds_count", "warden_http_connections_open", "warden_http_connections_max",
            "warden_http_connections_refused_total", "warden_http_body_timeouts_total", "warden_http_lane_threads",
            "warden_http_lane_busy", "warden_http_lane_queued", "warden_http_lane_queue_capacity",
            "warden_http_callers_refused_total", "warden_http_caller_checks", "warden_http_caller_lookups_total");

    /** Distinct problems warned about, at most; later ones go to DEBUG. */
    private static final int MAX_WARNED = 1000;

    /** Upper bounds of the latency buckets, in seconds. */
    private static final double[] BOUNDS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final LongAdder[][] decisions = new LongAdder[Endpoint.values().length][Result.values().length];
    private final LongAdder[][] buckets = new LongAdder[Endpoint.values().length][BOUNDS.length + 1];
    private final LongAdder[] sumNanos = new LongAdder[Endpoint.values().length];
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    Metrics() {
        for (int e = 0; e < decisions.length; e++) {
            for (int r = 0; r < decisions[e].length; r++) {
                decisions[e][r] = new LongAdder();
            }
            for (int b = 0; b < buckets[e].length; b++) {
                buckets[e][b] = new LongAdder();
            }
            sumNanos[e] = new LongAdder();
        }
    }

    void record(Endpoint endpoint, Result result, long nanos) {
        decisions[endpoint.ordinal()][result.ordinal()].increment();
        double seconds = nanos / 1e9;
        int b = 0;
        while (b < BOUNDS.length && seconds > BOUNDS[b]) {
            b++;
        }
        buckets[endpoint.ordinal()][b].increment();
        sumNanos[endpoint.ordinal()].add(nanos);
    }

    long count(Endpoint endpoint, Result result) {
        return decisions[endpoint.ordinal()][result.ordinal()].sum();
    }

    /**
     * @param sources the contributed counters and gauges, rendered after the endpoint's own series
     * @param gate the listener's connection cap
     * @param bodyTimeouts connections closed because a request body did not arrive in time
     * @param lanes the decision lanes
     * @param callers the caller checks
     */
    String render(Collection<MetricSource> sources, ConnectionGate gate, long bodyTimeouts, List<Lane> lanes,
            CallerCheck callers) {
        StringBuilder out = new StringBuilder(4096);
        out.append("# HELP warden_decisions_total Answers given to go-auth, by endpoint and result.\n");
        out.append("# TYPE warden_decisions_total counter\n");
        for (Endpoint e : Endpoint.values()) {
            for (Result r : Result.values()) {
                out.append("warden_decisions_total{endpoint=\"").append(e.label).append("\",result=\"")
                        .append(r.label).append("\"} ").append(count(e, r)).append('\n');
            }
        }
        out.append("# HELP warden_request_duration_seconds Time from request received to answer ready.\n");
        out.append("# TYPE warden_request_duration_seconds histogram\n");
        for (Endpoint e : Endpoint.values()) {
            long cumulative = 0;
            for (int b = 0; b <= BOUNDS.length; b++) {
                cumulative += buckets[e.ordinal()][b].sum();
                out.append("warden_request_duration_seconds_bucket{endpoint=\"").append(e.label).append("\",le=\"")
                        .append(b < BOUNDS.length ? Double.toString(BOUNDS[b]) : "+Inf").append("\"} ")
                        .append(cumulative).append('\n');
            }
            out.append("warden_request_duration_seconds_sum{endpoint=\"").append(e.label).append("\"} ")
                    .append(sumNanos[e.ordinal()].sum() / 1e9).append('\n');
            out.append("warden_request_duration_seconds_count{endpoint=\"").append(e.label).append("\"} ")
                    .append(cumulative).append('\n');
        }
        listener(out, gate, bodyTimeouts, lanes);
        callers(out, callers);
        Set<String> taken = new HashSet<>(OWN_NAMES);
        List<Contribution> contributions = new ArrayList<>();
        for (MetricSource source : sources) {
            Contribution c = read(source);
            if (c != null) {
                contributions.add(c);
            }
        }
        // sorted by source name; a stable sort, so of two sources of one name the first bound comes first
        contributions.sort(Comparator.comparing(Contribution::source));
        for (Contribution c : contributions) {
            String prefix = "warden_" + c.source() + "_";
            for (Map.Entry<String, Long> e : c.counters().entrySet()) {
                series(out, taken, c.source(), prefix + e.getKey() + "_total", "counter", e.getKey(), e.getValue());
            }
            for (Map.Entry<String, Long> e : c.gauges().entrySet()) {
                series(out, taken, c.source(), prefix + e.getKey(), "gauge", e.getKey(), e.getValue());
            }
        }
        return out.toString();
    }

    /** The listener's own gauges and counters: connections, timeouts, lanes. */
    private static void listener(StringBuilder out, ConnectionGate gate, long bodyTimeouts, List<Lane> lanes) {
        single(out, "warden_http_connections_open", "gauge", "Connections open to the go-auth listener.",
                gate.open());
        single(out, "warden_http_connections_max", "gauge", "Connections open at once at most (max.connections).",
                gate.max());
        single(out, "warden_http_connections_refused_total", "counter", "Connections closed as soon as accepted"
                + " because max.connections were open.", gate.refused());
        single(out, "warden_http_body_timeouts_total", "counter", "Connections closed because a request body was"
                + " not in within body.timeout.ms.", bodyTimeouts);
        perLane(out, lanes, "warden_http_lane_threads", "Decision threads of each lane.", Lane::threads);
        perLane(out, lanes, "warden_http_lane_busy", "Decisions running now, by lane.", Lane::busy);
        perLane(out, lanes, "warden_http_lane_queued", "Decisions waiting for a thread now, by lane.", Lane::queued);
        perLane(out, lanes, "warden_http_lane_queue_capacity", "Decisions that may wait for a thread, by lane;"
                + " beyond it the answer is 503.", Lane::queueSize);
    }

    /** Which caller checks are on, and the requests each refused. */
    private static void callers(StringBuilder out, CallerCheck callers) {
        out.append("# HELP warden_http_caller_checks Caller checks in force (1) or off (0): key is auth.key.required,"
                + " os_user is allowed.os.users.\n");
        out.append("# TYPE warden_http_caller_checks gauge\n");
        out.append("warden_http_caller_checks{check=\"key\"} ").append(callers.keyRequired() ? 1 : 0).append('\n');
        out.append("warden_http_caller_checks{check=\"os_user\"} ").append(callers.usersRestricted() ? 1 : 0)
                .append('\n');
        out.append("# HELP warden_http_callers_refused_total Requests answered 403 because their caller was not"
                + " allowed, by reason.\n");
        out.append("# TYPE warden_http_callers_refused_total counter\n");
        for (CallerCheck.Refusal r : CallerCheck.Refusal.values()) {
            out.append("warden_http_callers_refused_total{reason=\"").append(r.label).append("\"} ")
                    .append(callers.refused(r)).append('\n');
        }
        single(out, "warden_http_caller_lookups_total", "counter", "OS users of connections looked up in"
                + " /proc/net/tcp (allowed.os.users): one per connection, on the peer lane.", callers.lookUps());
    }

    private static void single(StringBuilder out, String name, String type, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void perLane(StringBuilder out, List<Lane> lanes, String name, String help,
            ToIntFunction<Lane> value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
        for (Lane lane : lanes) {
            out.append(name).append("{lane=\"").append(lane.name()).append("\"} ").append(value.applyAsInt(lane))
                    .append('\n');
        }
    }

    /** One source's numbers, read once per scrape, sorted by name. */
    private record Contribution(String source, SortedMap<String, Long> counters, SortedMap<String, Long> gauges) {
    }

    /** @return the source's numbers, or {@code null} when it has an invalid name or fails */
    private Contribution read(MetricSource source) {
        try {
            String name = source.name();
            if (!validName(name)) {
                warnOnce("name:" + name, "Metric source {} has an invalid name '{}' (must match {}); it is left out"
                        + " of /metrics", source.getClass().getName(), name, NAME);
                return null;
            }
            // copied at once, as the maps may be live views; a null map or key throws here too
            return new Contribution(name, new TreeMap<>(source.counters()), new TreeMap<>(source.gauges()));
        } catch (RuntimeException e) {
            warnOnce("fails:" + source.getClass().getName(), "Metric source {} failed and is left out of /metrics: {}",
                    source.getClass().getName(), e.toString());
            return null;
        }
    }

    private void series(StringBuilder out, Set<String> taken, String source, String name, String type, String key,
            Long value) {
        if (!validName(key)) {
            warnOnce("key:" + source + ":" + key, "Metric source {} offers the {} '{}', not a valid name (must match"
                    + " {}); it is left out of /metrics", source, type, key, NAME);
        } else if (value == null || (type.equals("counter") && value < 0)) {
            warnOnce("value:" + name, "Metric source {} offers {} for the {} {}; it is left out of /metrics",
                    source, value == null ? "no value" : "a negative value", type, name);
        } else if (!taken.add(name)) {
            warnOnce("taken:" + name, "Metric source {} offers {}, which is already exposed; it is left out of"
                    + " /metrics", source, name);
        } else {
            out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
            out.append(name).append(' ').append(value.longValue()).append('\n');
        }
    }

    private static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Warns the first time a problem is seen, so a faulty source does not flood the log on every scrape. */
    private void warnOnce(String problem, String format, Object... args) {
        if (warned.size() < MAX_WARNED && warned.add(problem)) {
            LOG.warn(format, args);
        } else {
            LOG.debug(format, args);
        }
    }
}
