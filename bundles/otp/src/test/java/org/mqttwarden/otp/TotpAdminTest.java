package org.mqttwarden.otp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AdminChange;
import org.mqttwarden.api.account.InvalidInputException;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;
import org.mqttwarden.testsupport.TestClock;

/** totp-enroll and totp-disable as the shell runs them, on the real account service and audit trail. */
class TotpAdminTest {

    private static final byte[] KEY = "a totp key of thirty-two bytes!!".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private SqliteDatabase db;
    private AuthStack auth;
    private TotpEnrollments enrollments;
    private TotpAdmin admin;

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 4);
        auth = AuthStack.on(new JdbiAccountStore(db));
        auth.sink(e -> {
            events.add(e);
            return CompletableFuture.completedFuture(null);
        });
        auth.accounts().createAccount("olga", "operator's long password", Set.of("admin"), null, "test");
        enrollments = new TotpEnrollments(db, KEY, clock, new SecureRandom());
        admin = new TotpAdmin(enrollments, auth.accounts(), auth.events(), clock);
        events.clear();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void enrollingIsAuditedWithoutTheSecretAndReEnrollingNeedsForce() {
        String uri = admin.enroll("olga", false, "shell:karaf");
        String secret = uri.replaceAll(".*secret=([A-Z2-7]+).*", "$1");
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(AdminChange.ACCOUNT_TOTP_ENROLL);
            assertThat(e.username()).isEqualTo("olga");
            assertThat(e.actor()).isEqualTo("shell:karaf");
            assertThat(e.toString()).doesNotContain(secret);
        });
        assertThatThrownBy(() -> admin.enroll("olga", false, "shell:karaf"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("--force");
        assertThat(admin.enroll("olga", true, "shell:karaf")).isNotEqualTo(uri);

        assertThat(admin.disable("olga", "shell:karaf")).isTrue();
        assertThat(enrollments.required("olga")).isFalse();
        assertThat(admin.disable("olga", "shell:karaf")).isFalse();
        assertThat(events).extracting(SecurityEvent::reason).containsExactly(AdminChange.ACCOUNT_TOTP_ENROLL,
                AdminChange.ACCOUNT_TOTP_ENROLL, AdminChange.ACCOUNT_TOTP_DISABLE);
    }

    @Test
    void anUnknownAccountIsRefusedAndNothingIsEnrolled() {
        assertThatThrownBy(() -> admin.enroll("nobody", false, "shell:karaf"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("no account named 'nobody'");
        assertThat(enrollments.enrolled()).isEmpty();
        assertThat(events).isEmpty();
    }

    @Test
    void aChangeTheAuditLogCannotRecordIsNotMade() {
        EventSink refusing = e -> CompletableFuture.failedFuture(new IllegalStateException("disk full"));
        auth.sink(refusing);
        assertThatThrownBy(() -> admin.enroll("olga", false, "shell:karaf"))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("Nothing was changed");
        assertThat(enrollments.required("olga")).isFalse();
    }
}
