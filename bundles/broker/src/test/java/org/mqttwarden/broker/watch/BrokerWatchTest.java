package org.mqttwarden.broker.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.broker.config.BrokerConfig;
import org.mqttwarden.testsupport.Configs;

/**
 * The DS component as Configuration Admin drives it: off, on a log that appears later (a fresh gateway has no
 * broker folder), reconfigured without its counters going down. The lines are the recorded corpus's, appended to a
 * real file as the broker would write them.
 */
class BrokerWatchTest {

    @TempDir
    Path dir;

    private BrokerWatch watch;
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (watch != null) {
            watch.deactivate();
        }
    }

    private BrokerConfig config(Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>(Map.of("broker.dir", dir.resolve("broker").toString()));
        p.putAll(extra);
        return Configs.of(BrokerConfig.class, p);
    }

    private static String corpus() throws Exception {
        try (InputStream in = BrokerWatchTest.class.getResourceAsStream(LogCorpusTest.CORPUS)) {
            return new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void offWatchesNothingAndAnswersNothing() {
        watch = new BrokerWatch(config(Map.of("watch.enabled", false)));
        assertThat(watch.addressOf("good-1")).isNull();
        assertThat(watch.counters()).containsEntry("lines", 0L);
        assertThat(watch.connectedClients()).isEmpty();
    }

    @Test
    void followsALogThatAppearsLaterCountsItAndKeepsCountsAcrossReconfiguration() throws Exception {
        watch = new BrokerWatch(config(Map.of("watch.flood.connections", 3)));
        watch.setPublisher(AuthStack.eventsTo(e -> {
            events.add(e);
            return CompletableFuture.completedFuture(null);
        }).getService());
        // its first look found no file (a fresh gateway): the file, once there, is read from its start
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.current().follower().passes.sum() > 0);
        Path log = dir.resolve("broker").resolve("log").resolve("mosquitto.log");
        Files.createDirectories(log.getParent());
        String text = corpus();
        long lines = text.lines().count();
        Files.writeString(log, text, StandardCharsets.UTF_8);
        await().atMost(Duration.ofSeconds(10)).until(() -> watch.counters().get("lines") == lines);
        // the corpus ends with every client gone; its many connections from 127.0.0.1 are a flood at 3
        assertThat(watch.connectedClients()).isEmpty();
        assertThat(events).extracting(SecurityEvent::reason).containsExactly(LogSensors.CONNECTION_FLOOD);
        assertThat(watch.counters()).containsEntry("events", 1L);

        watch.modified(config(Map.of("watch.flood.connections", 0)));
        Files.writeString(log, "1796694797: New connection from 10.0.0.9:5 on port 8883.\n"
                + "1796694797: New client connected from 10.0.0.9:5 as late (p5, c1, k60, u'device').\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        await().atMost(Duration.ofSeconds(10)).until(() -> "10.0.0.9".equals(watch.addressOf("late")));
        assertThat(watch.counters().get("lines")).isEqualTo(lines + 2);
        assertThat(watch.gauges()).containsEntry("connected_clients", 1L);
        assertThat(watch.counters()).as("counters never go down").containsEntry("events", 1L);
        // another log file: a new watcher, the counts carried over
        watch.modified(config(Map.of("watch.log", dir.resolve("other.log").toString())));
        assertThat(watch.counters().get("lines")).isEqualTo(lines + 2);
        assertThat(watch.addressOf("late")).isNull();
    }
}
