package org.mqttwarden.http;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency histograms of the go-auth endpoints, rendered in the Prometheus text
 * exposition format. Lock-free on the request path.
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

    /** Upper bounds of the latency buckets, in seconds. */
    private static final double[] BOUNDS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final LongAdder[][] decisions = new LongAdder[Endpoint.values().length][Result.values().length];
    private final LongAdder[][] buckets = new LongAdder[Endpoint.values().length][BOUNDS.length + 1];
    private final LongAdder[] sumNanos = new LongAdder[Endpoint.values().length];

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

    /** @param engine counters of the decision engine (cache hits and so on), may be empty */
    String render(Map<String, Long> engine) {
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
        for (Map.Entry<String, Long> c : new java.util.TreeMap<>(engine).entrySet()) {
            String name = "warden_engine_" + c.getKey().replaceAll("[^a-zA-Z0-9_]", "_") + "_total";
            out.append("# TYPE ").append(name).append(" counter\n");
            out.append(name).append(' ').append(c.getValue()).append('\n');
        }
        return out.toString();
    }
}
