package org.mqttwarden.crypto.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
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
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.crypto.keys.GatewayKeyStore;
import org.mqttwarden.crypto.keys.CryptoConfig;
import org.mqttwarden.store.EtcKeyFiles;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.Configs;
import org.mqttwarden.testsupport.TestClock;

/** The key commands' audit records, through warden-auth's real event publisher. */
class KeyAuditTest {

    @TempDir
    Path dir;

    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private SqliteDatabase db;
    private AuthStack auth;
    private GatewayKeyStore keys;

    @BeforeEach
    void start() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        auth = AuthStack.on(new JdbiAccountStore(db));
        auth.sink(e -> {
            events.add(e);
            return CompletableFuture.completedFuture(null);
        });
        keys = new GatewayKeyStore(db, new EtcKeyFiles(dir), Configs.of(CryptoConfig.class, Map.of()), new TestClock());
        events.clear();
    }

    @AfterEach
    void stop() {
        db.close();
    }

    private List<SecurityEvent> keyEvents() {
        return events.stream().filter(e -> e.type() == EventType.ADMIN_CHANGE && e.reason().startsWith("key."))
                .toList();
    }

    @Test
    void createRotateAndExportAreRecordedBeforeTheyAreMadeWithoutKeyMaterial() throws Exception {
        KeyCommands.audited(auth.events(), AdminChange.KEY_CREATE, "shell:karaf", Map.of("prefix", "plant"),
                () -> KeyCommands.create(keys, "plant"));
        KeyCommands.audited(auth.events(), AdminChange.KEY_ROTATE, "shell:karaf", Map.of("prefix", "plant"),
                () -> KeyCommands.rotate(keys, "plant"));
        String id = keys.list().get(0).keyId();
        Path file = dir.resolve("device.key");
        KeyCommands.audited(auth.events(), AdminChange.KEY_EXPORT, "shell:karaf", Map.of("key_id", id, "file",
                file.toString()), () -> KeyCommands.export(keys, id, "a passphrase for one device".toCharArray(),
                        file));

        assertThat(keyEvents()).extracting(SecurityEvent::reason).containsExactly(AdminChange.KEY_CREATE,
                AdminChange.KEY_ROTATE, AdminChange.KEY_EXPORT);
        assertThat(keyEvents()).allSatisfy(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.ALLOW);
            assertThat(e.actor()).isEqualTo("shell:karaf");
        });
        assertThat(keyEvents().get(2).detail()).containsEntry("key_id", id);
    }

    @Test
    void aChangeTheAuditLogCannotRecordIsNotMade() {
        auth.sink(e -> CompletableFuture.failedFuture(new IllegalStateException("disk full")));
        assertThatThrownBy(() -> KeyCommands.audited(auth.events(), AdminChange.KEY_CREATE, "shell:karaf",
                Map.of("prefix", "plant"), () -> KeyCommands.create(keys, "plant")))
                .isInstanceOf(CommandException.class).hasMessageStartingWith("Nothing was changed");
        assertThat(keys.list()).as("no key was made").isEmpty();
    }

    @Test
    void aRefusedChangeIsFollowedByAnErrorRecord() {
        assertThatThrownBy(() -> KeyCommands.audited(auth.events(), AdminChange.KEY_ROTATE, "shell:karaf",
                Map.of("prefix", "nothing/here"), () -> KeyCommands.rotate(keys, "nothing/here")))
                .isInstanceOf(CommandException.class);
        assertThat(keyEvents()).extracting(SecurityEvent::outcome).containsExactly(Outcome.ALLOW, Outcome.ERROR);
        assertThat(keyEvents().get(1).detail()).containsKey("error");
    }
}
