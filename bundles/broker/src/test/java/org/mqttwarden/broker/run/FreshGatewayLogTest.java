package org.mqttwarden.broker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.broker.config.BrokerConfig;
import org.mqttwarden.testsupport.Configs;

/**
 * A fresh gateway has no broker folder: the managed broker's component says nothing above INFO then, managed or
 * not (a WARN or ERROR on a normal start is a bug). What the component logs is read from slf4j-simple's standard
 * error, so the test also sees the INFO line that proves the capture works.
 */
class FreshGatewayLogTest {

    @TempDir
    Path home;

    private PrintStream err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @BeforeEach
    void capture() {
        err = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(err);
    }

    @Test
    void aGatewayWithoutBrokerFolderLogsNoWarningManagedOrNot() {
        Path folder = home.resolve("broker");
        ManagedBroker plain = new ManagedBroker(Configs.of(BrokerConfig.class, Map.of("broker.dir", folder.toString())));
        assertThat(plain.status().state()).isEqualTo(BrokerStatus.State.STOPPED);
        plain.deactivate();

        ManagedBroker managed = new ManagedBroker(Configs.of(BrokerConfig.class, Map.of("broker.dir",
                folder.toString(), "managed", true)));
        await().atMost(Duration.ofSeconds(15)).until(() -> managed.status().refusal().isPresent());
        managed.deactivate();

        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("INFO org.mqttwarden.broker.run.ManagedBroker - The managed broker is not started:"
                + " there is no configuration at " + folder.resolve("mosquitto.conf"));
        assertThat(log).doesNotContain("WARN").doesNotContain("ERROR");
        assertThat(folder).as("nothing is created for a broker nobody set up").doesNotExist();
    }
}
