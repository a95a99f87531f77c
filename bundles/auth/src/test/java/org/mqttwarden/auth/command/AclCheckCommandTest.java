package org.mqttwarden.auth.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.Role;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.ClientRef;
import org.mqttwarden.api.auth.Decision;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.auth.AuthStack;
import org.mqttwarden.store.JdbiAccountStore;
import org.mqttwarden.store.SqliteDatabase;

/**
 * {@code warden:acl-check} asks {@code Authorizer.explain} (API services only), which answers what
 * {@code /acl} answers, reason and deciding rule included, while recording and caching nothing.
 */
class AclCheckCommandTest {

    private static final String PW = "correct horse battery";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private AuthStack auth;
    private AccountService accounts;

    @BeforeEach
    void open() {
        db = new SqliteDatabase(dir.resolve("warden.db"), 5000, 2);
        auth = AuthStack.on(new JdbiAccountStore(db));
        accounts = auth.accounts();
        accounts.createAccount("dev1", PW, Set.of("sensor"), null, "test");
        accounts.createAccount("dev2", PW, Set.of("sensor"), null, "test");
        accounts.createAccount("boss", PW, Set.of(Role.ADMIN), null, "test");
        accounts.createAccount("off", PW, Set.of("sensor"), null, "test");
        accounts.setEnabled("off", false, "test");
        accounts.addRule(new AclRule(0, SubjectType.ROLE, "sensor", "plant/%u/#", Permission.READWRITE, ""), "test");
        accounts.addRule(new AclRule(0, SubjectType.ROLE, "sensor", "plant/+/secret", Permission.DENY, ""), "test");
        accounts.addRule(new AclRule(0, SubjectType.ACCOUNT, "dev1", "shared/%c", Permission.SUBSCRIBE, ""),
                "test");
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void explainsWhatTheAclEndpointAnswersWithTheSameReasonAndRule() {
        List<String> users = List.of("dev1", "dev2", "boss", "off", "ghost", "");
        List<String> topics = List.of("plant/dev1/t", "plant/dev2/t", "plant/dev1/secret", "shared/c1", "shared/+",
                "a/#", "$SYS/x", "");
        int allowed = 0;
        for (String user : users) {
            for (String topic : topics) {
                for (Access access : Access.values()) {
                    ClientRef client = new ClientRef(user, "c1", null);
                    Decision explained = auth.authorizer().explain(client, topic, access);
                    Decision answered = auth.authorizer().authorize(client, topic, access);
                    assertThat(explained).as("%s %s %s", user, topic, access).isEqualTo(answered);
                    allowed += explained.allowed() ? 1 : 0;
                }
            }
        }
        assertThat(allowed).as("the matrix holds allows as well as denials").isGreaterThan(10);
    }

    @Test
    void recordsNothingAndCachesNothing() {
        RecordingSink sink = new RecordingSink();
        auth.sink(sink);
        Decision d = auth.authorizer().explain(new ClientRef("dev1", "c1", null), "plant/dev1/t", Access.WRITE);
        assertThat(d.allowed()).isTrue();
        assertThat(sink.count).isZero();
        assertThat(auth.metrics().counters()).containsEntry("acl_cache_hits", 0L).containsEntry("acl_cache_misses",
                0L);
        assertThat(auth.authorizer().authorizeNow(new ClientRef("dev1", "c1", null), "plant/dev1/t", Access.WRITE))
                .as("nothing cached for /acl's fast path").isNull();
    }

    private static final class RecordingSink implements EventSink {
        int count;

        @Override
        public CompletionStage<Void> accept(SecurityEvent event) {
            count++;
            return CompletableFuture.completedFuture(null);
        }
    }
}
