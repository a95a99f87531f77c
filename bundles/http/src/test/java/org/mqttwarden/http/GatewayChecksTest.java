package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.health.StartupStep;
import org.mqttwarden.api.health.StartupStep.State;

/** The parts of readiness that need no OSGi framework: the startup steps and the shell's SSH port. */
class GatewayChecksTest {

    @TempDir
    Path dir;

    @Test
    void aRunningStepIsWaitedForAndAFailedOneIsDown() {
        Step first = new Step("first start", State.RUNNING);
        Step other = new Step("tls material", State.DONE);

        assertThat(GatewayChecks.steps(List.of(other, first)))
                .hasValue(NotReady.starting("first start", null));
        first.state = State.DONE;
        assertThat(GatewayChecks.steps(List.of(other, first))).isEmpty();
        other.state = State.FAILED;
        assertThat(GatewayChecks.steps(List.of(first, other)))
                .hasValue(NotReady.failed("tls material", "see the gateway's log"));
        assertThat(GatewayChecks.steps(List.of())).as("no step registered").isEmpty();
    }

    @Test
    void waitsForTheSshPortBinWardenReadsUntilSomethingListensThere() throws Exception {
        try (ServerSocket ssh = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Path cfg = dir.resolve("org.apache.karaf.shell.cfg");
            int free;
            try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                free = gone.getLocalPort();
            }
            Files.writeString(cfg, "# the shell\nsshPort = " + free + "\nsshHost = 0.0.0.0\n");
            GatewayReadiness.Check check = GatewayChecks.shell(() -> true, cfg, ProcNetTcp.system());

            assertThat(check.check()).hasValue(
                    NotReady.starting("shell", "nothing listens on the SSH port " + free + " yet"));

            Files.writeString(cfg, "sshPort = " + ssh.getLocalPort() + "\n");
            assertThat(check.check()).isEmpty();
        }
    }

    @Test
    void readsThePortAsBinWardenDoes() throws Exception {
        Path cfg = dir.resolve("org.apache.karaf.shell.cfg");
        assertThat(GatewayChecks.sshPort(cfg)).as("no file").isEqualTo(8101);
        Files.writeString(cfg, "sshIdleTimeout = 1800000\n");
        assertThat(GatewayChecks.sshPort(cfg)).as("no key").isEqualTo(8101);
        Files.writeString(cfg, "  sshPort=18101  \n");
        assertThat(GatewayChecks.sshPort(cfg)).isEqualTo(18101);
        Files.writeString(cfg, "sshPort = 0\n");
        assertThat(GatewayChecks.sshPort(cfg)).isZero();
        Files.writeString(cfg, "sshPort = ${env:SSH_PORT}\n");
        assertThat(GatewayChecks.sshPort(cfg)).isEqualTo(-1);
    }

    @Test
    void doesNotWaitForAShellThatIsNotInstalledOrWhosePortCannotBeKnown() throws Exception {
        Path cfg = dir.resolve("org.apache.karaf.shell.cfg");
        Path noTables = dir.resolve("tcp");
        Files.writeString(noTables, "header\n");
        ProcNetTcp nothingListens = new ProcNetTcp(List.of(noTables), java.nio.ByteOrder.LITTLE_ENDIAN);

        assertThat(GatewayChecks.shell(() -> false, cfg, nothingListens).check()).as("no SSH server").isEmpty();
        Files.writeString(cfg, "sshPort = 0\n");
        assertThat(GatewayChecks.shell(() -> true, cfg, nothingListens).check()).as("any free port").isEmpty();
        Files.writeString(cfg, "sshPort = 8101\n");
        assertThat(GatewayChecks.shell(() -> true, cfg, nothingListens).check()).isEqualTo(
                Optional.of(NotReady.starting("shell", "nothing listens on the SSH port 8101 yet")));
    }

    /** A step whose state the test moves, as FirstStart's thread moves its own. */
    static final class Step implements StartupStep {
        private final String name;
        volatile State state;

        Step(String name, State state) {
            this.name = name;
            this.state = state;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public State state() {
            return state;
        }
    }
}
