package org.mqttwarden.auth.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CommandsCommandTest {

    private static final List<String> NAMES = List.of("acl-add", "acl-check", "acl-list", "audit-tail", "user-add",
            "user-list", "user-show", "user-passwd");

    @Test
    void aTypoIsAnsweredWithTheNearestNamesFirstThenTheirFamily() {
        assertThat(CommandsCommand.closest("user-lst", NAMES)).startsWith("user-list").contains("user-add");
        assertThat(CommandsCommand.closest("acl-chek", NAMES).get(0)).isEqualTo("acl-check");
        assertThat(CommandsCommand.closest("audittail", NAMES)).containsExactly("audit-tail");
    }

    @Test
    void anExistingNameOrOneFarFromEveryNameGetsNoSuggestion() {
        assertThat(CommandsCommand.closest("user-add", NAMES)).isEmpty();
        assertThat(CommandsCommand.closest("shutdown", NAMES)).isEmpty();
    }

    @Test
    void optionsGivenAfterAnArgumentAreMovedFirstWithTheirValues() {
        Map<String, Boolean> userAdd = Map.of("--role", true, "-r", true, "--generate", false, "--password-stdin",
                false, "--email", true);
        assertThat(CommandsCommand.optionsFirst(userAdd, List.of("alice", "--role", "sensor")))
                .isEqualTo("--role sensor alice");
        assertThat(CommandsCommand.optionsFirst(userAdd, List.of("dev 1", "--generate", "-r", "sensor")))
                .isEqualTo("--generate -r sensor 'dev 1'");
        assertThat(CommandsCommand.optionsFirst(userAdd, List.of("--role", "sensor", "--generate", "alice")))
                .as("already in order").isNull();
    }
}
