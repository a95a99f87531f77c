package org.mqttwarden.otp.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;

import org.junit.jupiter.api.Test;

class CsrfTokensTest {

    private final CsrfTokens tokens = new CsrfTokens(new SecureRandom());

    @Test
    void aTokenIsValidForItsOwnCookieOnly() {
        String cookie = tokens.newCookie();
        String other = tokens.newCookie();

        assertThat(CsrfTokens.wellFormed(cookie)).isTrue();
        assertThat(cookie).isNotEqualTo(other);
        assertThat(tokens.valid(cookie, tokens.tokenFor(cookie))).isTrue();
        assertThat(tokens.valid(other, tokens.tokenFor(cookie))).isFalse();
        assertThat(tokens.valid(cookie, null)).isFalse();
        assertThat(tokens.valid(cookie, "")).isFalse();
        assertThat(tokens.valid(null, tokens.tokenFor(cookie))).isFalse();
        assertThat(tokens.valid(cookie, tokens.tokenFor(cookie) + "x")).isFalse();
    }

    @Test
    void anotherListenersKeyMakesOtherTokens() {
        String cookie = tokens.newCookie();
        CsrfTokens restarted = new CsrfTokens(new SecureRandom());

        assertThat(restarted.valid(cookie, tokens.tokenFor(cookie))).isFalse();
    }

    @Test
    void aCookieAnAttackerPlantsNeedsATokenOnlyTheKeyMakes() {
        String planted = "A".repeat(43);

        assertThat(CsrfTokens.wellFormed(planted)).isTrue();
        assertThat(tokens.valid(planted, planted)).isFalse();
        assertThat(tokens.valid(planted, "A".repeat(43))).isFalse();
        assertThat(CsrfTokens.wellFormed("A".repeat(42))).isFalse();
        assertThat(CsrfTokens.wellFormed("A".repeat(42) + "=")).isFalse();
    }
}
