package org.mqttwarden.broker.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.broker.run.BrokerAudit;
import org.mqttwarden.broker.run.BrokerFolder;
import org.mqttwarden.broker.run.BrokerStatus;
import org.mqttwarden.broker.run.ManagedBroker;

/**
 * {@code warden:broker-start}, {@code broker-stop} and {@code broker-status} as the shell runs them, on the real
 * Mosquitto and warden-auth's real event publisher (AuthStack): starts and stops are audit records made before the
 * change, a start the audit cannot record does not happen, refusals are one-sentence command errors, and the status
 * prints what the broker printed with its control characters escaped.
 */
class BrokerCommandsTest {

    @TempDir
    Path dir;

    private BrokerFolder folder;
    private ManagedBroker broker;
    private final List<SecurityEvent> recorded = new CopyOnWriteArrayList<>();
    private EventPublisher events;

    @BeforeEach
    void start() throws Exception {
        folder = new BrokerFolder(dir);
        broker = new ManagedBroker(folder.config());
        events = AuthStack.eventsTo(e -> {
            recorded.add(e);
            return CompletableFuture.completedFuture(null);
        }).getService();
    }

    @AfterEach
    void stop() {
        BrokerFolder.deactivate(broker);
        folder.assertNoOrphan();
    }

    @Test
    void startStatusStopAreAuditedAdminChanges() throws Exception {
        String started = BrokerStartCommand.start(broker, events, "shell:admin", false);

        long pid = broker.status().pid().orElseThrow();
        assertThat(started).isEqualTo("Started Mosquitto (pid " + pid + ") with " + folder.conf()
                + "; warden:broker-status shows whether it stays up.");
        assertThat(recorded).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.ADMIN_CHANGE);
            assertThat(e.outcome()).isEqualTo(Outcome.ALLOW);
            assertThat(e.reason()).isEqualTo(AdminChange.BROKER_START);
            assertThat(e.actor()).isEqualTo("shell:admin");
            assertThat(e.detail()).isEqualTo(Map.of("config", folder.conf().toString(), "force", "false"));
        });
        await().atMost(Duration.ofSeconds(15)).until(folder::listening);

        String status = BrokerStatusCommand.format(broker.status(), Instant.now());
        assertThat(status).contains("Broker:        running\n").contains("Pid:           " + pid + "\n")
                .contains("Restarts:      0\n").contains("Configuration: ").doesNotContain("critical");

        assertThat(BrokerStopCommand.stop(broker, events, "shell:admin")).isEqualTo("Stopped Mosquitto (pid " + pid
                + ").");
        assertThat(recorded).hasSize(2);
        assertThat(recorded.get(1).reason()).isEqualTo(AdminChange.BROKER_STOP);
        assertThat(folder.portFree()).isTrue();
        assertThat(BrokerStatusCommand.format(broker.status(), Instant.now())).startsWith("Broker:        stopped\n")
                .contains("Last exit:     0\n");

        assertThat(BrokerStopCommand.stop(broker, events, "shell:admin")).isEqualTo("No broker runs from " + dir
                + "; nothing to stop.");
        assertThat(recorded).as("nothing stopped, nothing recorded").hasSize(2);
    }

    @Test
    void aStartTheAuditLogCannotRecordIsNotMade() throws Exception {
        EventPublisher refusing = AuthStack.eventsTo(e -> CompletableFuture.failedFuture(
                new IllegalStateException("audit database is read-only"))).getService();

        assertThatThrownBy(() -> BrokerStartCommand.start(broker, refusing, "shell:admin", false))
                .isInstanceOf(CommandException.class).hasMessageStartingWith("Nothing was started: ")
                .hasMessageContaining("every broker start and stop from the shell must be in the audit log");
        assertThat(folder.brokers()).isEmpty();
        assertThat(broker.status().state()).isEqualTo(BrokerStatus.State.STOPPED);
    }

    @Test
    void aRefusalIsOneSentenceAndNothingIsRecorded() throws Exception {
        Files.delete(folder.conf());

        assertThatThrownBy(() -> BrokerStartCommand.start(broker, events, "shell:admin", true))
                .isInstanceOf(CommandException.class).hasMessage("There is no broker configuration at "
                        + folder.conf() + ": run warden:broker-init to write one.");
        assertThat(recorded).isEmpty();
        assertThat(BrokerStatusCommand.format(broker.status(), Instant.now())).contains("Last refusal:  There is no"
                + " broker configuration").contains("Configuration: no configuration at " + folder.conf());
    }

    @Test
    void theStatusOfABrokerThatDiedShowsItsOutputWithControlCharactersEscaped() throws Exception {
        // an option name carrying a terminal escape sequence: Mosquitto prints it back in its error
        folder.writeConf("bogus\u001b]0;owned\u0007\u001b[2J true");

        BrokerStartCommand.start(broker, events, "shell:admin", true);
        assertThat(recorded).singleElement().satisfies(e -> assertThat(e.detail()).containsEntry("force", "true"));
        await().atMost(Duration.ofSeconds(15)).until(() -> !broker.status().lastOutput().isEmpty());

        String status = BrokerStatusCommand.format(broker.status(), Instant.now());
        assertThat(status).contains("Last exit:     3\n").contains("Last output of the broker when it died:\n")
                .contains("Unknown configuration variable \"bogus\\u001B]0;owned\\u0007\\u001B[2J\"")
                .contains("critical: config-error").doesNotContain("\u001b").doesNotContain("\u0007");
        assertThat(status).containsAnyOf("Broker:        restarting after it died\n", "Broker:        running\n");
    }
}
