package org.mqttwarden.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.auth.acl.AclIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-process ACL decision time at 10, 1 000 and 100 000 rules (the uncached path: the index walk).
 * Rules are spread over 100 roles and one rule per account for many accounts, with literal,
 * {@code +}, {@code #} and {@code %u} filters and some denies, like a plant with many lines.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AclIndexBenchmark {

    @Param({"10", "1000", "100000"})
    int rules;

    private AclIndex index;
    private final Set<String> roles = Set.of("role-7", "role-42", "sensor");
    private String[] readTopics;
    private String[] writeTopics;
    private String[] subscribeFilters;
    private int i;

    @Setup
    public void build() {
        List<AclRule> list = new ArrayList<>(rules);
        list.add(new AclRule(1, SubjectType.ROLE, "sensor", "%u/#", Permission.READWRITE, ""));
        for (int n = 1; n < rules; n++) {
            String role = "role-" + (n % 100);
            int line = n / 100;
            String filter = switch (n % 5) {
                case 0 -> "plant/line" + line + "/temp";
                case 1 -> "plant/line" + line + "/+/status";
                case 2 -> "plant/line" + line + "/alarms/#";
                case 3 -> "plant/line" + line + "/%u/cmd";
                default -> "plant/line" + line + "/secret/#";
            };
            Permission p = n % 5 == 4 ? Permission.DENY : n % 2 == 0 ? Permission.READ : Permission.READWRITE;
            SubjectType type = n % 10 == 9 ? SubjectType.ACCOUNT : SubjectType.ROLE;
            list.add(new AclRule(n + 1, type, type == SubjectType.ACCOUNT ? "dev" + n : role, filter, p, ""));
        }
        index = AclIndex.build(list);
        int lines = Math.max(1, rules / 100);
        readTopics = new String[64];
        writeTopics = new String[64];
        subscribeFilters = new String[64];
        for (int k = 0; k < 64; k++) {
            int line = (k * 7919) % lines;
            readTopics[k] = "plant/line" + line + "/alarms/zone" + k + "/high";
            writeTopics[k] = k % 2 == 0 ? "dev-1/telemetry/" + k : "plant/line" + line + "/pump" + k + "/status";
            subscribeFilters[k] = "plant/line" + line + "/+/status";
        }
    }

    @Benchmark
    public Decision read() {
        return index.decide("dev-1", roles, "client-1", readTopics[i++ & 63], Access.READ);
    }

    @Benchmark
    public Decision write() {
        return index.decide("dev-1", roles, "client-1", writeTopics[i++ & 63], Access.WRITE);
    }

    @Benchmark
    public Decision subscribe() {
        return index.decide("dev-1", roles, "client-1", subscribeFilters[i++ & 63], Access.SUBSCRIBE);
    }
}
