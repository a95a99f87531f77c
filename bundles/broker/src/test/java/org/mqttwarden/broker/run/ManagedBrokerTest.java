package org.mqttwarden.broker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.broker.config.BrokerConfig;
import org.mqttwarden.testsupport.TestClock;

/**
 * The managed broker with Debian's real Mosquitto on a free loopback port: started, killed with SIGKILL and
 * restarted, backing off when it dies at once (restart delays kept by {@link ManualScheduler}, time from a
 * {@link TestClock}: no wall-clock assertion), stopped with the port free again, stopped by deactivate, and every
 * refusal with nothing started. After each test no Mosquitto of the test's folder is alive.
 */
class ManagedBrokerTest {

    private static final Optional<String> GO = Optional.empty();

    @TempDir
    Path dir;

    private BrokerFolder folder;
    private ManagedBroker broker;

    @BeforeEach
    void folder() throws Exception {
        folder = new BrokerFolder(dir);
    }

    @AfterEach
    void noOrphan() {
        if (broker != null) {
            broker.deactivate();
        }
        folder.assertNoOrphan();
    }

    private ManagedBroker broker(BrokerConfig config) {
        broker = new ManagedBroker(config);
        return broker;
    }

    private ManagedBroker broker(BrokerConfig config, TestClock clock, ManualScheduler scheduler) {
        broker = new ManagedBroker(config, clock, scheduler);
        return broker;
    }

    @Test
    void startsListensAndStopsWithThePortFreeAndNoProcessLeft() throws Exception {
        ManagedBroker b = broker(folder.config());
        long pid = b.start(false, () -> GO);

        await().atMost(Duration.ofSeconds(15)).until(folder::listening);
        BrokerStatus s = b.status();
        assertThat(s.state()).isEqualTo(BrokerStatus.State.RUNNING);
        assertThat(s.pid()).hasValue(pid);
        assertThat(s.since()).isPresent();
        assertThat(s.restarts()).isZero();
        assertThat(s.lint()).doesNotContain("critical");
        assertThat(Files.readString(dir.resolve(PidFile.NAME))).startsWith(pid + " ");
        assertThat(ProcessHandle.of(pid).orElseThrow().info().commandLine().orElse(""))
                .contains("-c " + folder.conf());

        Optional<ManagedBroker.Stopped> stopped = b.stop(() -> GO);

        assertThat(stopped).contains(new ManagedBroker.Stopped(pid, false, false));
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(folder.portFree()).isTrue();
        assertThat(dir.resolve(PidFile.NAME)).doesNotExist();
        assertThat(b.status().state()).isEqualTo(BrokerStatus.State.STOPPED);
        assertThat(b.status().lastExit()).hasValue(0);
        assertThat(Files.readString(dir.resolve("log").resolve(OutputCapture.NAME)))
                .contains("--- warden: started").contains("(pid " + pid + ")");
        assertThat(b.stop(() -> GO)).isEmpty();
    }

    @Test
    void aBrokerKilledWithSigkillIsRestartedAndTheRestartCounted() throws Exception {
        ManagedBroker b = broker(folder.config());
        long first = b.start(false, () -> GO);
        await().atMost(Duration.ofSeconds(15)).until(folder::listening);

        ProcessHandle.of(first).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(20)).until(() -> b.status().state() == BrokerStatus.State.RUNNING
                && b.status().pid().orElse(first) != first && folder.listening());
        BrokerStatus s = b.status();
        assertThat(s.restarts()).isEqualTo(1);
        assertThat(s.lastExit()).hasValue(128 + 9);
        assertThat(s.lastLog()).as("its log when it died").anyMatch(l -> l.contains("mosquitto version")
                && l.contains("running"));
        assertThat(ProcessHandle.of(first).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(Files.readString(dir.resolve(PidFile.NAME))).startsWith(s.pid().getAsLong() + " ");
        assertThat(folder.brokers()).hasSize(1);
    }

    @Test
    void aConfigurationThatDiesAtOnceIsRestartedWithADelayDoublingUpToTheLongest() throws Exception {
        folder.writeConf("bogus_option true");
        ManualScheduler restarts = new ManualScheduler();
        ManagedBroker b = broker(folder.config("restart.backoff.max.seconds", 4), new TestClock(), restarts);

        b.start(true, () -> GO);

        assertThat(restarts.runNext()).isEqualTo(Duration.ofSeconds(1));
        assertThat(restarts.runNext()).isEqualTo(Duration.ofSeconds(2));
        assertThat(restarts.runNext()).isEqualTo(Duration.ofSeconds(4));
        assertThat(restarts.runNext()).isEqualTo(Duration.ofSeconds(4));
        restarts.next(); // the fifth death: a restart is pending
        BrokerStatus s = b.status();
        assertThat(s.state()).isEqualTo(BrokerStatus.State.RESTARTING);
        assertThat(s.restarts()).isEqualTo(4);
        assertThat(s.lastExit()).hasValue(3);
        assertThat(s.nextRestart()).contains(TestClock.T0.plusSeconds(4));
        assertThat(s.lastOutput()).anyMatch(l -> l.contains("Unknown configuration variable \"bogus_option\""));
        assertThat(s.lint()).contains("critical: config-error");

        assertThat(b.stop(() -> GO)).contains(new ManagedBroker.Stopped(0, false, false));
        assertThat(b.status().state()).isEqualTo(BrokerStatus.State.STOPPED);
    }

    @Test
    void theDelayStartsAgainAtOneSecondAfterAHealthyRun() throws Exception {
        TestClock clock = new TestClock();
        ManualScheduler restarts = new ManualScheduler();
        ManagedBroker b = broker(folder.config(), clock, restarts);
        long pid = b.start(false, () -> GO);

        pid = killAndAwaitRestart(b, restarts, pid, Duration.ofSeconds(1));
        pid = killAndAwaitRestart(b, restarts, pid, Duration.ofSeconds(2));
        clock.advance(Supervisor.STABLE);
        pid = killAndAwaitRestart(b, restarts, pid, Duration.ofSeconds(1));
        killAndAwaitRestart(b, restarts, pid, Duration.ofSeconds(2));
        assertThat(b.status().restarts()).isEqualTo(4);
    }

    private static long killAndAwaitRestart(ManagedBroker b, ManualScheduler restarts, long pid, Duration expected)
            throws InterruptedException {
        await().atMost(Duration.ofSeconds(15)).until(() -> b.status().pid().orElse(-1) == pid);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        assertThat(restarts.runNext()).isEqualTo(expected);
        long next = b.status().pid().orElseThrow();
        assertThat(next).isNotEqualTo(pid);
        return next;
    }

    @Test
    void aBrokerThatIgnoresSigtermIsKilledAfterTheGrace() throws Exception {
        // a stand-in for a broker stuck on shutdown: a program ignoring SIGTERM, started as the mosquitto binary
        Path stuck = dir.resolve("stuck-mosquitto");
        Files.writeString(stuck, "#!/bin/sh\ntrap '' TERM\necho stuck broker up\nwhile :; do sleep 1; done\n");
        Files.setPosixFilePermissions(stuck, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        ManagedBroker b = new ManagedBroker(folder.config("mosquitto.binary", stuck.toString()), new TestClock(),
                new ManualScheduler(), Duration.ofMillis(300));
        broker = b;
        long pid = b.start(false, () -> GO);
        await().atMost(Duration.ofSeconds(15)).until(() -> Files.exists(dir.resolve("log")
                .resolve(OutputCapture.NAME)) && Files.readString(dir.resolve("log").resolve(OutputCapture.NAME))
                .contains("stuck broker up"));

        assertThat(b.stop(() -> GO)).contains(new ManagedBroker.Stopped(pid, false, true));
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(b.status().lastExit()).hasValue(128 + 9);
    }

    @Test
    void deactivateStopsTheBroker() throws Exception {
        ManagedBroker b = broker(folder.config());
        long pid = b.start(false, () -> GO);
        await().atMost(Duration.ofSeconds(15)).until(folder::listening);

        b.deactivate();
        broker = null;

        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(folder.portFree()).isTrue();
        assertThat(dir.resolve(PidFile.NAME)).doesNotExist();
    }

    @Test
    void aManagedBrokerStartsWithTheGatewayFromItsOwnThreadAndStopsWithIt() throws Exception {
        ManagedBroker b = broker(folder.config("managed", true));

        await().atMost(Duration.ofSeconds(15)).until(() -> b.status().state() == BrokerStatus.State.RUNNING
                && folder.listening());
        long pid = b.status().pid().orElseThrow();
        assertThat(ProcessHandle.of(pid).orElseThrow().parent().map(ProcessHandle::pid))
                .contains(ProcessHandle.current().pid());

        b.deactivate();
        broker = null;
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void aManagedBrokerWithoutConfigurationStaysStoppedAndSaysWhy() throws Exception {
        Files.delete(folder.conf());
        ManagedBroker b = broker(folder.config("managed", true));

        await().atMost(Duration.ofSeconds(15)).until(() -> b.status().refusal().isPresent());
        assertThat(b.status().state()).isEqualTo(BrokerStatus.State.STOPPED);
        assertThat(b.status().refusal().orElseThrow()).contains("warden:broker-init");
        assertThat(b.status().lint()).startsWith("no configuration at");
    }

    @Test
    void aChangedConfigurationKeepsTheBrokerRunningAndManagedSwitchedOnStartsIt() throws Exception {
        ManagedBroker b = broker(folder.config());
        b.modified(folder.config("managed", true));
        await().atMost(Duration.ofSeconds(15)).until(() -> b.status().state() == BrokerStatus.State.RUNNING);
        long pid = b.status().pid().orElseThrow();

        b.modified(folder.config("managed", true, "watch.flood.connections", 5, "restart.backoff.max.seconds", 10));

        assertThat(b.status().pid()).as("the log watcher's keys share the PID: no restart").hasValue(pid);
        assertThat(b.status().restarts()).isZero();
        assertThat(folder.brokers()).hasSize(1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Refusals: one sentence each, nothing started
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void refusesWithoutConfiguration() throws Exception {
        Files.delete(folder.conf());
        assertRefused(broker(folder.config()), false, "There is no broker configuration at " + folder.conf()
                + ": run warden:broker-init to write one.");
    }

    @Test
    void refusesWithoutMosquittoBinary() throws Exception {
        Path missing = dir.resolve("no-such-mosquitto");
        assertRefused(broker(folder.config("mosquitto.binary", missing.toString())), false,
                "Mosquitto is not installed here (" + missing + " is not an executable file): run apt-get install"
                        + " mosquitto, or set mosquitto.binary in etc/org.mqttwarden.broker.cfg.");
    }

    @Test
    void refusesAMissingGoAuthPluginEvenWhenForcedInsteadOfLettingMosquittoDie() throws Exception {
        Path plugin = dir.resolve("lib").resolve("go-auth.so");
        folder.writeConf("auth_plugin " + plugin, "auth_opt_backends http");
        assertRefused(broker(folder.config()), true, "The go-auth plugin " + plugin + " that " + folder.conf()
                + ":8 loads is not installed: build and install it as mosquitto-go-auth-conf/README.md (\"Build"
                + " go-auth\") describes, or point goauth.plugin at it and run warden:broker-init --force.");
    }

    @Test
    void refusesCriticalLintFindingsUnlessForced() throws Exception {
        folder.writeConf("bogus_option true");
        ManualScheduler restarts = new ManualScheduler();
        ManagedBroker b = broker(folder.config(), new TestClock(), restarts);

        assertRefused(b, false, "The broker configuration has 1 critical lint finding (first: " + folder.conf()
                + ":8 [config-error] ");
        assertThat(b.status().refusal().orElseThrow()).endsWith("or start with --force.");

        long pid = b.start(true, () -> GO);
        assertThat(pid).isPositive();
        assertThat(b.status().refusal()).isEmpty();
        restarts.next(); // it died, as the finding said it would
        b.stop(() -> GO);
    }

    @Test
    void refusesAPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), folder.port));
            assertRefused(broker(folder.config()), true, "Port " + folder.port + " is already in use (listener "
                    + folder.port + " on 127.0.0.1, " + folder.conf() + ":1): stop the program that holds it"
                    + " (another broker?) or change the listener.");
        }
    }

    @Test
    void refusesASecondStartWhileItRuns() throws Exception {
        ManagedBroker b = broker(folder.config());
        long pid = b.start(false, () -> GO);

        assertThatThrownBy(() -> b.start(true, () -> GO)).isInstanceOf(BrokerRefusedException.class)
                .hasMessage("The broker already runs (pid " + pid + "): warden:broker-stop stops it.");
        assertThat(folder.brokers()).hasSize(1);
    }

    @Test
    void startsNothingWhenTheAuditRecordCannotBeMade() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        assertRefused(broker(folder.config()), false, "Nothing was started: no audit sink confirmed.", () -> {
            asked.incrementAndGet();
            return Optional.of("no audit sink confirmed");
        });
        assertThat(asked).hasValue(1);
    }

    @Test
    void aBrokerLeftByAGatewayKilledWithSigkillIsRefusedThenStoppedByBrokerStop() throws Exception {
        // a gateway in its own JVM starts its managed broker, then dies with SIGKILL: no deactivate, no stop
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process gateway = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                CrashingGateway.class.getName(), dir.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        long orphan;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(gateway.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line = out.readLine();
            while (line != null && !line.startsWith("pid ")) {
                line = out.readLine();
            }
            assertThat(line).as("the gateway JVM printed its broker's pid").isNotNull();
            orphan = Long.parseLong(line.substring(4));
            await().atMost(Duration.ofSeconds(15)).until(folder::listening);
            gateway.destroyForcibly();
            assertThat(gateway.waitFor(15, TimeUnit.SECONDS)).isTrue();
        } finally {
            gateway.destroyForcibly();
        }
        assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).as("the broker outlived its gateway")
                .isPresent();
        ManagedBroker b = broker(folder.config());

        assertRefused(b, true, "A Mosquitto left running by an earlier gateway (pid " + orphan + ") still runs from"
                + " this broker folder and is not supervised: warden:broker-stop stops it, then warden:broker-start"
                + " starts a managed one.");
        BrokerStatus s = b.status();
        assertThat(s.state()).isEqualTo(BrokerStatus.State.LEFT_OVER);
        assertThat(s.pid()).hasValue(orphan);
        assertThat(s.since()).isPresent();
        assertThat(folder.brokers()).hasSize(1);

        assertThat(b.stop(() -> GO)).contains(new ManagedBroker.Stopped(orphan, true, false));
        assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(folder.portFree()).isTrue();
        assertThat(dir.resolve(PidFile.NAME)).doesNotExist();

        long pid = b.start(false, () -> GO);
        assertThat(pid).isNotEqualTo(orphan);
        assertThat(b.status().state()).isEqualTo(BrokerStatus.State.RUNNING);
    }

    @Test
    void aStalePidFileIsIgnored() throws Exception {
        // a pid file whose process is gone (and one naming a live process that is not that Mosquitto)
        Files.writeString(dir.resolve(PidFile.NAME), "999999999 0\n", StandardCharsets.US_ASCII);
        assertThat(new PidFile(dir).running()).isEmpty();
        new PidFile(dir).write(ProcessHandle.current());
        assertThat(new PidFile(dir).running()).as("the test's own JVM is not a Mosquitto").isEmpty();

        ManagedBroker b = broker(folder.config());
        b.start(false, () -> GO);
        assertThat(b.status().state()).isEqualTo(BrokerStatus.State.RUNNING);
    }

    private void assertRefused(ManagedBroker b, boolean force, String sentence) throws IOException {
        assertRefused(b, force, sentence, () -> GO);
    }

    private void assertRefused(ManagedBroker b, boolean force, String sentence,
            java.util.function.Supplier<Optional<String>> approval) throws IOException {
        Path pidFile = dir.resolve(PidFile.NAME);
        String pidBefore = Files.exists(pidFile) ? Files.readString(pidFile) : null;
        Path output = dir.resolve("log").resolve(OutputCapture.NAME);
        String outputBefore = Files.exists(output) ? Files.readString(output) : null;
        assertThatThrownBy(() -> b.start(force, approval)).isInstanceOf(BrokerRefusedException.class)
                .hasMessageStartingWith(sentence);
        assertThat(b.status().refusal().orElseThrow()).startsWith(sentence);
        assertThat(b.status().state()).isNotIn(BrokerStatus.State.RUNNING, BrokerStatus.State.RESTARTING);
        assertThat(Files.exists(pidFile) ? Files.readString(pidFile) : null).isEqualTo(pidBefore);
        assertThat(Files.exists(output) ? Files.readString(output) : null).as("nothing started, nothing printed")
                .isEqualTo(outputBefore);
    }

    @Test
    void thePreflightLintsWithWardenHttpsResponseMode() {
        assertThat(ManagedBroker.lintOptions(Map.of("response.mode", "json"))
                .wardenResponseMode()).isEqualTo("json");
        assertThat(ManagedBroker.lintOptions(Map.of()).wardenResponseMode())
                .isEqualTo("status");
        assertThat(ManagedBroker.lintOptions(Map.of("response.mode", "xml"))
                .wardenResponseMode()).as("one warden-http refuses itself").isEqualTo("status");
    }
}
