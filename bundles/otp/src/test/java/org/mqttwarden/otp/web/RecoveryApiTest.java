package org.mqttwarden.otp.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.Reasons;
import org.mqttwarden.api.otp.OtpChannel;
import org.mqttwarden.api.otp.OtpMessage;
import org.mqttwarden.api.otp.OtpPending;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.api.otp.OtpService;
import org.mqttwarden.otp.web.Http.Answer;

/**
 * The JSON API over real HTTP against the real OtpManager, warden.db and GreenMail: what each step answers, that
 * a request tells nothing about the account, and the rate limits with a clock the test moves.
 */
class RecoveryApiTest {

    private static final String WRONG_CODE = "{\"ok\":false,\"error\":\"The code is wrong, expired or already used."
            + " Ask for a new one.\"}";

    @TempDir
    Path dir;

    private RecoveryStack stack;

    @AfterEach
    void close() {
        if (stack != null) {
            stack.close();
        }
    }

    private Http open(Map<String, ?> overrides) {
        stack = RecoveryStack.open(dir, overrides);
        return new Http(stack.serve());
    }

    private static String request(String user, String purpose) {
        return "{\"username\":\"" + user + "\",\"purpose\":\"" + purpose + "\"}";
    }

    private static String confirm(String user, String purpose, String code, String password) {
        return "{\"username\":\"" + user + "\",\"purpose\":\"" + purpose + "\",\"code\":\"" + code + "\""
                + (password == null ? "" : ",\"password\":\"" + password + "\"") + "}";
    }

    @Test
    void aResetSetsTheNewPasswordTheAuthenticatorAcceptsAndTheCodeWorksOnce() {
        Http http = open(Map.of());
        Answer asked = http.json("/recovery/api/request", request("alice", "reset"));
        assertThat(asked.status()).isEqualTo(202);
        assertThat(asked.body()).isEqualTo("{\"ok\":true,\"message\":\"If the account can receive codes, a code is on"
                + " its way. It is valid for 10 minutes.\"}");
        assertThat(asked.header("Content-Type")).contains("application/json");
        String code = stack.awaitCode("alice@example.org", 1);

        Answer done = http.json("/recovery/api/confirm", confirm("alice", "reset", code, RecoveryStack.NEW));

        assertThat(done.status()).isEqualTo(200);
        assertThat(done.body()).isEqualTo("{\"ok\":true}");
        assertThat(stack.logsIn("alice", RecoveryStack.NEW)).isTrue();
        assertThat(stack.logsIn("alice", RecoveryStack.OLD)).isFalse();
        Answer again = http.json("/recovery/api/confirm", confirm("alice", "reset", code, "another new password"));
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.body()).isEqualTo(WRONG_CODE);
        assertThat(stack.events).as("no event holds the code")
                .allSatisfy(e -> assertThat(e.toString()).doesNotContain(code));
    }

    @Test
    void anUnlockPublishesTheEventWardenLockoutClearsTheLockOn() {
        Http http = open(Map.of());
        assertThat(http.json("/recovery/api/request", request("bob", "unlock")).status()).isEqualTo(202);
        String code = stack.awaitCode("bob@example.org", 1);

        Answer done = http.json("/recovery/api/confirm", confirm("bob", "unlock", code, null));

        assertThat(done.status()).isEqualTo(200);
        assertThat(stack.otpEvents(Reasons.OTP_UNLOCK)).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.ALLOW);
            assertThat(e.username()).isEqualTo("bob");
            assertThat(e.actor()).as("who asked, for the audit log").isEqualTo("127.0.0.1");
        });
    }

    @Test
    void everyWellFormedRequestIsAnsweredAlikeAndOnlyAnAccountWithAnAddressGetsMail() {
        Http http = open(Map.of());
        List<Answer> answers = List.of(
                http.json("/recovery/api/request", request("alice", "reset")),
                http.json("/recovery/api/request", request("nobody", "reset")),
                http.json("/recovery/api/request", request("nomail", "reset")),
                http.json("/recovery/api/request", request("bob", "unlock")),
                http.json("/recovery/api/request", request("nobody", "unlock")));

        for (Answer a : answers) {
            assertThat(a.status()).isEqualTo(202);
            assertThat(a.body()).isEqualTo(answers.get(0).body());
            assertThat(a.headersButDate()).isEqualTo(answers.get(0).headersButDate());
        }
        stack.awaitCode("alice@example.org", 1);
        stack.awaitCode("bob@example.org", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.otpEvents(Reasons.OTP_REFUSED).size() == 3);
        assertThat(stack.otpEvents(Reasons.OTP_REFUSED)).extracting(e -> e.detail().get("why"))
                .containsExactlyInAnyOrder("no such account", "no e-mail address", "no such account");
        assertThat(stack.smtp.getReceivedMessages()).hasSize(2);
    }

    /** A channel that does not say whether it reaches an address until the test lets it. */
    static final class HeldChannel implements OtpChannel {
        final CountDownLatch asked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String name() {
            return "held";
        }

        @Override
        public boolean reaches(String address) {
            asked.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        @Override
        public CompletionStage<Void> deliver(OtpMessage message) {
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void aRequestIsAnsweredWithoutWaitingForTheAccountLookupOrTheDelivery() throws Exception {
        // e-mail off, so the held channel is the one asked whether it reaches alice's address
        Http http = open(Map.of("mail.host", ""));
        HeldChannel held = new HeldChannel();
        stack.bind(held);

        Answer asked = http.json("/recovery/api/request", request("alice", "reset"));

        assertThat(asked.status()).isEqualTo(202);
        assertThat(held.asked.await(10, TimeUnit.SECONDS)).as("the request reached the channel").isTrue();
        assertThat(held.release.getCount()).as("answered while the channel still holds the request").isEqualTo(1);
        held.release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> !stack.otpEvents(Reasons.OTP_REFUSED).isEmpty());
    }

    @Test
    void everyCodeNotAcceptedGetsOneAnswerAndAPasswordThePolicyRefusesDoesNotSpendTheCode() {
        Http http = open(Map.of("http.rate.per.username", 10));
        http.json("/recovery/api/request", request("alice", "reset"));
        String code = stack.awaitCode("alice@example.org", 1);
        String wrong = code.equals("00000000") ? "11111111" : "00000000";

        Answer tooShort = http.json("/recovery/api/confirm", confirm("alice", "reset", code, "short"));
        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.body()).startsWith("{\"ok\":false,\"error\":\"").contains("at least");

        for (String body : List.of(confirm("alice", "reset", wrong, RecoveryStack.NEW),
                confirm("nobody", "reset", code, RecoveryStack.NEW), confirm("alice", "unlock", code, null),
                confirm("alice", "verify", code, RecoveryStack.NEW))) {
            Answer a = http.json("/recovery/api/confirm", body);
            assertThat(a.status()).isEqualTo(400);
            assertThat(a.body()).isEqualTo(WRONG_CODE);
        }
        assertThat(http.json("/recovery/api/confirm", confirm("alice", "reset", code, RecoveryStack.NEW)).status())
                .as("the code survived the refused password and one wrong try").isEqualTo(200);
    }

    /** The real service, with its confirmations held at a gate the test opens: workers busy for as long as it likes. */
    static final class Gated implements OtpService {
        final OtpService real;
        final CountDownLatch gate = new CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

        Gated(OtpService real) {
            this.real = real;
        }

        @Override
        public void request(String username, OtpPurpose purpose, String source) {
            real.request(username, purpose, source);
        }

        @Override
        public OtpConfirmation confirm(String username, OtpPurpose purpose, String code, String newPassword,
                String source) {
            waiting.incrementAndGet();
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return real.confirm(username, purpose, code, newPassword, source);
        }

        @Override
        public List<OtpPending> pending(String username) {
            return real.pending(username);
        }
    }

    @Test
    void withEveryWorkerBusyAndTheQueueFullARequestGets429AtOnceNotA5xx() throws Exception {
        stack = RecoveryStack.open(dir, Map.of());
        Gated gated = new Gated(stack.otp);
        RecoveryServer server = stack.serve(Map.of("http.rate.per.username", 100),
                new RecoveryServer.Limits(1000, 1000, 30_000, 64, 1, true), gated);
        Http http = new Http(server);
        // clients of their own: the common pool may have a single thread, which the first held request would take
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<CompletableFuture<Answer>> held = new java.util.ArrayList<>();
        for (int i = 0; i < RecoveryServer.WORKERS; i++) {
            String user = "held" + i;
            held.add(CompletableFuture.supplyAsync(() -> http.json("/recovery/api/confirm",
                    confirm(user, "unlock", "12345678", null)), clients));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gated.waiting.get() == RecoveryServer.WORKERS);

        // every worker held: of five more, one finds the queue's one place, four find no room
        List<CompletableFuture<Answer>> more = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String user = "more" + i;
            more.add(CompletableFuture.supplyAsync(() -> http.json("/recovery/api/confirm",
                    confirm(user, "unlock", "12345678", null)), clients));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> more.stream().filter(CompletableFuture::isDone).count()
                == 4);
        List<Answer> refused = more.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();

        assertThat(refused).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(429);
            assertThat(a.header("Retry-After")).contains("1");
        });
        gated.gate.countDown();
        for (CompletableFuture<Answer> h : held) {
            assertThat(h.get(30, TimeUnit.SECONDS).status()).as("held, then answered").isEqualTo(400);
        }
        assertThat(more.stream().map(CompletableFuture::join).filter(a -> a.status() == 400).count())
                .as("the queued one, answered once a worker was free").isEqualTo(1);
        clients.shutdown();
    }

    @Test
    void aUsernameOverItsRateGets429WithRetryAfterUntilTheMinuteIsOver() {
        Http http = open(Map.of("http.rate.per.username", 3));
        for (int i = 0; i < 3; i++) {
            assertThat(http.json("/recovery/api/request", request("alice", "reset")).status()).isEqualTo(202);
        }
        stack.clock.advance(Duration.ofSeconds(15));

        Answer limited = http.json("/recovery/api/confirm", confirm("alice", "reset", "12345678", "whatever pw 1"));

        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).contains("45");
        assertThat(limited.body()).isEqualTo("{\"ok\":false,\"error\":\"Too many attempts. Try again in 45"
                + " seconds.\"}");
        assertThat(http.json("/recovery/api/request", request("ALICE", "reset")).status())
                .as("names are counted without case").isEqualTo(429);
        assertThat(http.json("/recovery/api/request", request("bob", "reset")).status()).isEqualTo(202);
        stack.clock.advance(Duration.ofSeconds(45));
        assertThat(http.json("/recovery/api/request", request("alice", "reset")).status()).isEqualTo(202);
    }

    @Test
    void anAddressOverItsRateGets429ForEveryUsernameUntilTheMinuteIsOver() {
        Http http = open(Map.of("http.rate.per.address", 4));
        for (int i = 0; i < 4; i++) {
            assertThat(http.json("/recovery/api/request", request("user" + i, "reset")).status()).isEqualTo(202);
        }

        Answer limited = http.json("/recovery/api/request", request("someone", "reset"));
        Answer malformed = http.json("/recovery/api/request", "{");

        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).contains("60");
        assertThat(malformed.status()).as("counted before the body is read").isEqualTo(429);
        stack.clock.advance(Duration.ofSeconds(60));
        assertThat(http.json("/recovery/api/request", request("someone", "reset")).status()).isEqualTo(202);
    }

    @Test
    void everyAnswerForbidsCachingSniffingAndFraming() {
        Http http = open(Map.of("http.rate.per.username", 1));
        http.json("/recovery/api/request", request("alice", "reset"));
        List<Answer> answers = List.of(
                http.json("/recovery/api/request", request("bob", "reset")),
                http.json("/recovery/api/request", request("bob", "reset")),
                http.json("/recovery/api/confirm", confirm("carol", "reset", "1", "a password long enough")),
                http.json("/recovery/api/request", "[]"),
                http.post("/recovery/api/request", "text/plain", request("alice", "reset")),
                http.json("/recovery/api/request", " ".repeat(5000)),
                http.get("/recovery/api/request"),
                http.get("/nowhere"),
                http.get("/recovery"),
                http.get("/recovery/recovery.css"));
        assertThat(answers).extracting(Answer::status).containsExactly(202, 429, 400, 400, 415, 413, 405, 404, 200,
                200);
        assertThat(answers).allSatisfy(a -> {
            assertThat(a.header("Cache-Control")).contains("no-store");
            assertThat(a.header("X-Content-Type-Options")).contains("nosniff");
            assertThat(a.header("X-Frame-Options")).contains("DENY");
            assertThat(a.header("Content-Security-Policy")).contains(RecoveryHandler.CSP);
            assertThat(a.header("Content-Type")).isPresent();
        });
    }
}
