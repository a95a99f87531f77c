package org.mqttwarden.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class LoginReasonTest {

    @Test
    void onlyWrongPasswordsOrCodesAndUnknownNamesAreGuessesAndAnUnknownAuthFailureCountsToo() {
        assertThat(Arrays.stream(LoginReason.values()).filter(LoginReason::guess))
                .containsExactlyInAnyOrder(LoginReason.BAD_PASSWORD, LoginReason.UNKNOWN_USER, LoginReason.BAD_CODE);
        assertThat(LoginReason.countsAsGuess("auth.bad-code")).as("a wrong second factor").isTrue();
        assertThat(LoginReason.countsAsGuess("auth.bad-password")).isTrue();
        assertThat(LoginReason.countsAsGuess("auth.disabled")).isFalse();
        assertThat(LoginReason.countsAsGuess("auth.invalid-username")).isFalse();
        assertThat(LoginReason.countsAsGuess("auth.something-new")).as("fails closed").isTrue();
        assertThat(LoginReason.countsAsGuess("lockout.locked")).isFalse();
        assertThat(LoginReason.countsAsGuess(null)).isFalse();
    }

    @Test
    void codesAreUniqueAndSayWhatTheyTellAboutTheAccount() {
        assertThat(Arrays.stream(LoginReason.values()).map(LoginReason::code).distinct())
                .hasSize(LoginReason.values().length);
        assertThat(LoginReason.of("auth.unknown-user")).contains(LoginReason.UNKNOWN_USER);
        assertThat(LoginReason.UNKNOWN_USER.accountExists()).contains(false);
        assertThat(LoginReason.DISABLED.accountExists()).contains(true);
        assertThat(LoginReason.ERROR.accountExists()).isEmpty();
        assertThat(LoginReason.of("nope")).isEmpty();
    }
}
