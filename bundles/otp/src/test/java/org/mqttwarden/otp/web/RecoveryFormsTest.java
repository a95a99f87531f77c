package org.mqttwarden.otp.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Reasons;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.otp.web.Http.Answer;

/**
 * The page and its forms over real HTTP, as a browser without JavaScript uses them: what the page is made of, the
 * anti-forgery token on every form post, each step's message, and that no message tells whether an account
 * exists. (Driven in a real Chromium by {@link RecoveryPageBrowserTest}.)
 */
class RecoveryFormsTest {

    private static final Pattern INPUT = Pattern.compile("<input ([^>]*)>");
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-z-]+)(?:=\"([^\"]*)\")?");

    @TempDir
    Path dir;

    private RecoveryStack stack;
    private Http http;

    @BeforeEach
    void open() {
        stack = RecoveryStack.open(dir, Map.of());
        http = new Http(stack.serve());
    }

    @AfterEach
    void close() {
        stack.close();
    }

    /** A browser's visit: the page, its cookie and its token. */
    private record Visit(String cookie, String token) {
    }

    private Visit visit() {
        Answer page = http.get("/recovery");
        assertThat(page.status()).isEqualTo(200);
        return new Visit(page.cookie().orElseThrow(), page.token());
    }

    private Answer post(Visit v, String path, String... fields) {
        Map<String, String> f = Http.fields(fields);
        f.put("csrf", v.token());
        return http.form(path, v.cookie(), f);
    }

    @Test
    void thePageIsSelfContainedFramedByNothingAndSetsAStrictCookie() {
        Answer page = http.get("/recovery");

        assertThat(page.header("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.header("Content-Security-Policy")).contains("default-src 'none'; style-src 'self';"
                + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        assertThat(page.header("X-Frame-Options")).contains("DENY");
        assertThat(page.header("Referrer-Policy")).contains("no-referrer");
        assertThat(page.header("Set-Cookie")).hasValueSatisfying(c -> assertThat(c)
                .matches(CsrfTokens.COOKIE + "=[A-Za-z0-9_-]{43}; Path=/recovery; HttpOnly; SameSite=Strict"));
        assertThat(page.body()).doesNotContain("<script").doesNotContain("style=").doesNotContain("http://")
                .doesNotContain("https://").doesNotContain("{{")
                .contains("<html lang=\"en\">", "<link rel=\"stylesheet\" href=\"/recovery/recovery.css\">");
        assertThat(page.body()).contains("Forgot your password?", "Account locked?", "Accept an invitation");
        assertThat(http.get("/recovery/recovery.css").header("Content-Type")).contains("text/css; charset=utf-8");
    }

    @Test
    void thePageSaysPlainlyWhenNoMailCanBeSent() {
        assertThat(http.get("/recovery").body()).doesNotContain("no e-mail server");
        RecoveryServer mailOff = stack.serve(Map.of("mail.host", ""), new RecoveryServer.Limits(1000, 1000, 30_000,
                64, 4, true));

        assertThat(new Http(mailOff).get("/recovery").body()).contains("This gateway has no e-mail server configured,"
                + " so no code can be sent by e-mail now. Ask your administrator.");
    }

    @Test
    void everyFieldHasALabelAndEveryFormCarriesTheToken() {
        String page = http.get("/recovery").body();
        Matcher inputs = INPUT.matcher(page);
        int visible = 0;
        int tokens = 0;
        while (inputs.find()) {
            Map<String, String> a = attributes(inputs.group(1));
            if ("hidden".equals(a.get("type"))) {
                tokens += "csrf".equals(a.get("name")) ? 1 : 0;
                continue;
            }
            visible++;
            assertThat(page).as("a label for " + a.get("id")).contains("<label for=\"" + a.get("id") + "\">");
            assertThat(a).as(a.get("id")).containsKey("required").containsKey("autocomplete");
        }
        assertThat(visible).isEqualTo(12);
        assertThat(tokens).isEqualTo(page.split("<form ", -1).length - 1).isEqualTo(5);
    }

    private static Map<String, String> attributes(String text) {
        Map<String, String> m = new java.util.HashMap<>();
        Matcher a = ATTRIBUTE.matcher(text);
        while (a.find()) {
            m.put(a.group(1), a.group(2) == null ? "" : a.group(2));
        }
        return m;
    }

    @Test
    void aResetThroughTheFormsSetsThePasswordTheAuthenticatorAccepts() {
        Visit v = visit();

        Answer asked = post(v, "/recovery/request", "purpose", "reset", "username", "alice");
        assertThat(asked.status()).isEqualTo(200);
        assertThat(asked.body()).contains("role=\"status\"").contains("If alice is an account with an e-mail"
                + " address, a code to reset its password is on its way there. It is valid for 10 minutes.")
                .contains("<a href=\"#reset-confirm\">Enter it in step 2.</a>")
                .contains("id=\"reset-username\" name=\"username\"").contains("value=\"alice\"");
        assertThat(asked.cookie()).as("the browser's cookie is kept").isEmpty();
        String code = stack.awaitCode("alice@example.org", 1);

        Answer done = post(v, "/recovery/confirm", "purpose", "reset", "username", "alice", "code", code,
                "password", RecoveryStack.NEW, "repeat", RecoveryStack.NEW);

        assertThat(done.status()).isEqualTo(200);
        assertThat(done.body()).contains("Your password is changed. You can log in with the new one now.");
        assertThat(done.body()).doesNotContain(code).doesNotContain(RecoveryStack.NEW);
        assertThat(stack.logsIn("alice", RecoveryStack.NEW)).isTrue();
    }

    @Test
    void anInvitationCodeSetsTheInvitedAccountsFirstPassword() {
        stack.auth.accounts().inviteAccount("carol", java.util.Set.of("viewer"), "carol@example.org", "admin");
        assertThat(stack.logsIn("carol", "carol's own password")).isFalse();
        stack.otp.request("carol", OtpPurpose.VERIFY, "shell:admin");
        String code = stack.awaitCode("carol@example.org", 1);
        Visit v = visit();

        Answer done = post(v, "/recovery/confirm", "purpose", "verify", "username", "carol", "code", code,
                "password", "carol's own password", "repeat", "carol's own password");

        assertThat(done.status()).isEqualTo(200);
        assertThat(done.body()).contains("Your password is set. You can log in with it now.");
        assertThat(stack.logsIn("carol", "carol's own password")).isTrue();
    }

    @Test
    void theAnswerToARequestIsTheSameWhetherTheAccountExistsOrNot() {
        Visit v = visit();
        List<String> pages = new ArrayList<>();
        for (String user : List.of("alice", "nosuchuser", "nomail")) {
            Answer a = post(v, "/recovery/request", "purpose", "unlock", "username", user);
            assertThat(a.status()).isEqualTo(200);
            pages.add(a.body().replace(user, "USER"));
        }
        assertThat(pages).containsOnly(pages.get(0));
        assertThat(pages.get(0)).contains("If USER is an account with an e-mail address, a code to unlock it is on"
                + " its way there.");
    }

    @Test
    void twoDifferentNewPasswordsAreRefusedBeforeTheCodeIsSpent() {
        Visit v = visit();
        post(v, "/recovery/request", "purpose", "reset", "username", "alice");
        String code = stack.awaitCode("alice@example.org", 1);

        Answer refused = post(v, "/recovery/confirm", "purpose", "reset", "username", "alice", "code", code,
                "password", RecoveryStack.NEW, "repeat", RecoveryStack.NEW + "!");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("role=\"alert\"").contains("The two passwords differ. Nothing was"
                + " changed; the code is still valid.");
        assertThat(post(v, "/recovery/confirm", "purpose", "reset", "username", "alice", "code", code, "password",
                RecoveryStack.NEW, "repeat", RecoveryStack.NEW).status()).isEqualTo(200);
    }

    @Test
    void aWrongCodeGetsTheOneGenericMessage() {
        Visit v = visit();
        Answer refused = post(v, "/recovery/confirm", "purpose", "unlock", "username", "bob", "code", "00000000");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("The code is wrong, expired or already used. Ask for a new one.");
    }

    @Test
    void aFormWithoutTheTokenOrWithAForgedOneIsRefusedAndNothingIsDone() {
        Visit v = visit();
        Visit other = visit();
        String request = "purpose=reset&username=alice";
        List<Answer> refused = List.of(
                http.form("/recovery/request", v.cookie(), Http.fields("purpose", "reset", "username", "alice")),
                http.post("/recovery/request", Http.FORM, request + "&csrf=" + v.token()),
                http.form("/recovery/request", v.cookie(), Http.fields("purpose", "reset", "username", "alice",
                        "csrf", other.token())),
                http.form("/recovery/request", v.cookie(), Http.fields("purpose", "reset", "username", "alice",
                        "csrf", v.token().substring(1) + "A")),
                http.form("/recovery/request", v.cookie().substring(1) + "A", Http.fields("purpose", "reset",
                        "username", "alice", "csrf", v.token())),
                http.form("/recovery/request", "x", Http.fields("purpose", "reset", "username", "alice", "csrf",
                        "")),
                http.form("/recovery/confirm", other.cookie(), Http.fields("purpose", "unlock", "username", "bob",
                        "code", "12345678", "csrf", v.token())));

        assertThat(refused).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(403);
            assertThat(a.body()).contains("This form has expired or was not sent from this page. Nothing was done.");
            assertThat(a.cookie()).as("a new cookie with a new token").isPresent();
            assertThat(a.token()).isNotEqualTo(v.token());
        });
        assertThat(stack.events).noneMatch(e -> e.type() == EventType.OTP);
        assertThat(post(v, "/recovery/request", "purpose", "reset", "username", "alice").status())
                .as("the genuine form still works").isEqualTo(200);
    }

    @Test
    void aFormOverItsRateIsToldWhenToTryAgain() {
        Visit v = visit();
        for (int i = 0; i < 5; i++) {
            assertThat(post(v, "/recovery/request", "purpose", "reset", "username", "alice").status()).isEqualTo(200);
        }
        Answer limited = post(v, "/recovery/request", "purpose", "reset", "username", "alice");

        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).contains("60");
        assertThat(limited.body()).contains("Too many attempts. Try again in 60 seconds.");
    }

    @Test
    void missingFieldsAreNamedAndTheUsernameIsEscaped() {
        Visit v = visit();
        Answer noCode = post(v, "/recovery/confirm", "purpose", "unlock", "username", "<b>bob</b>");
        assertThat(noCode.status()).isEqualTo(400);
        assertThat(noCode.body()).contains("The code is missing.").contains("&lt;b&gt;bob&lt;/b&gt;")
                .doesNotContain("<b>bob");
        Answer verify = post(v, "/recovery/request", "purpose", "verify", "username", "carol");
        assertThat(verify.status()).isEqualTo(400);
        assertThat(verify.body()).contains("an invitation&#39;s code comes with the invitation");
        assertThat(stack.otpEvents(Reasons.OTP_ISSUED)).isEmpty();
    }
}
