package org.mqttwarden.auth.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mqttwarden.api.account.InvalidInputException;

class TopicNamesTest {

    static Stream<Arguments> invalidRuleFilters() {
        return Stream.of(
                Arguments.of("", "must not be empty"),
                Arguments.of(null, "must not be empty"),
                Arguments.of("a".repeat(65_536), "65535 bytes"),
                Arguments.of("é".repeat(32_768), "65535 bytes"),
                Arguments.of("a/\u0000/b", "NUL"),
                Arguments.of("a/\u0000/b", "U+0000"),
                Arguments.of("a\tb", "control characters"),
                Arguments.of("a/\u001f", "U+001F"),
                Arguments.of("a/\ud800", "unpaired surrogate"),
                Arguments.of("a/#/b", "'#' must be the whole last level"),
                Arguments.of("a/b#", "'#' must be the whole last level"),
                Arguments.of("##", "'#' must be the whole last level"),
                Arguments.of("a+/b", "'+' must be a whole level"),
                Arguments.of("a/++", "'+' must be a whole level"),
                Arguments.of("dev/%u-x", "'%u' and '%c' must each be a whole level"),
                Arguments.of("dev/x%c", "'%u' and '%c' must each be a whole level"),
                Arguments.of("%u%c/#", "'%u' and '%c' must each be a whole level"),
                Arguments.of("$share/g/#", "must not start with '$share/'"),
                Arguments.of("$share/g/a/b", "must not start with '$share/'"),
                Arguments.of("$share", "must not start with '$share/'"),
                Arguments.of("a/".repeat(256) + "a", "must not have more than 256 levels (found 257)"),
                Arguments.of("+/".repeat(4_999) + "#", "must not have more than 256 levels (found 5000)"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("invalidRuleFilters")
    void rejectsInvalidRuleFilterNamingTheProblem(String filter, String problem) {
        assertThatThrownBy(() -> TopicNames.validateRuleFilter(filter)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(problem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a/#", "a/+/b", "+/+/#", "%u/#", "devices/%c", "a//b", "/a", "a/", "/",
        "$SYS/#", "$shared/x", "share/$share/x", "100%/u", "usine/température", "工厂/+/温度", "🌡️/%u"})
    void acceptsValidRuleFilter(String filter) {
        assertThatCode(() -> TopicNames.validateRuleFilter(filter)).doesNotThrowAnyException();
    }

    @Test
    void acceptsRuleFilterOfExactlyTheMaximumLength() {
        assertThatCode(() -> TopicNames.validateRuleFilter("é".repeat(32_767) + "a")).doesNotThrowAnyException();
    }

    @Test
    void acceptsRuleFilterOfExactlyTheMaximumDepth() {
        assertThatCode(() -> TopicNames.validateRuleFilter("+/".repeat(255) + "#")).doesNotThrowAnyException();
    }

    @Test
    void keepsControlCharactersOutOfTheMessage() {
        assertThatThrownBy(() -> TopicNames.validateRuleFilter("evil\u0000#")).hasMessageNotContaining("evil");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b", "a//b", "/", "/a", "a/", "$SYS/broker", "$share/g/x", "工厂/温度", "🌡️"})
    void acceptsPublishTopic(String topic) {
        assertThat(TopicNames.isValidPublishTopic(topic)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/+", "+", "#", "a/#", "a+b", "a#", "a\u0000b", "a/\udc00"})
    void rejectsPublishTopic(String topic) {
        assertThat(TopicNames.isValidPublishTopic(topic)).isFalse();
    }

    @Test
    void rejectsMissingOrOverlongPublishTopic() {
        assertThat(TopicNames.isValidPublishTopic(null)).isFalse();
        assertThat(TopicNames.isValidPublishTopic("a".repeat(65_536))).isFalse();
        assertThat(TopicNames.isValidPublishTopic("a".repeat(65_535))).isTrue();
        assertThat(TopicNames.isValidPublishTopic("😀".repeat(16_384))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a/#", "a/+/b", "+/+", "+/#", "a//b", "/", "%u/x", "a-%c",
        "$SYS/#", "$share/g/a/#", "$share/g/+", "工厂/+"})
    void acceptsSubscribeFilter(String filter) {
        assertThat(TopicNames.isValidSubscribeFilter(filter)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/#/b", "#/a", "a+/b", "a/b+", "a/b#", "##", "++", "a\u0000", "$share",
        "$share/", "$share//a", "$share/g", "$share/g/", "$share/g#/a", "$share/g/a/#/b"})
    void rejectsSubscribeFilter(String filter) {
        assertThat(TopicNames.isValidSubscribeFilter(filter)).isFalse();
    }

    @Test
    void takesSharedSubscriptionApart() {
        assertThat(TopicNames.parseShared("$share/g1/plant/+/temp"))
                .contains(new TopicNames.Shared("g1", "plant/+/temp"));
        assertThat(TopicNames.parseShared("$share/g1/#")).contains(new TopicNames.Shared("g1", "#"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"plant/#", "$share", "$share/", "$share//x", "$share/g", "$share/g/", "$share/+/x",
        "$share/#/x", "$sharex/g/x"})
    void findsNoSharedSubscriptionInMalformedOrPlainFilter(String filter) {
        assertThat(TopicNames.parseShared(filter)).isEmpty();
    }

    @Test
    void tellsSharedFromPlainFilters() {
        assertThat(TopicNames.isShared("$share/g/x")).isTrue();
        assertThat(TopicNames.isShared("$share")).isTrue();
        assertThat(TopicNames.isShared("$sharex/g")).isFalse();
        assertThat(TopicNames.isShared("a/$share/g")).isFalse();
    }

    @Test
    void countsLevelsKeepingEmptyOnes() {
        assertThat(TopicNames.levelCount("a")).isEqualTo(1);
        assertThat(TopicNames.levelCount("a//b")).isEqualTo(3);
        assertThat(TopicNames.levelCount("/")).isEqualTo(2);
        assertThat(TopicNames.levelCount("")).isEqualTo(1);
    }

    @Test
    void splitsLevelsKeepingEmptyOnes() {
        assertThat(TopicNames.levels("a//b")).containsExactly("a", "", "b");
        assertThat(TopicNames.levels("/a")).containsExactly("", "a");
        assertThat(TopicNames.levels("a/")).containsExactly("a", "");
        assertThat(TopicNames.levels("/")).containsExactly("", "");
        assertThat(TopicNames.levels("a")).containsExactly("a");
    }
}
