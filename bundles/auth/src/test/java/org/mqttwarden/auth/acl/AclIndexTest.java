package org.mqttwarden.auth.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mqttwarden.api.auth.Access.READ;
import static org.mqttwarden.api.auth.Access.READWRITE;
import static org.mqttwarden.api.auth.Access.SUBSCRIBE;
import static org.mqttwarden.api.auth.Access.WRITE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.InvalidInputException;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.Decision;

class AclIndexTest {

    private static final List<AclRule> RULES = List.of(
            role(1, "sensor", "%u/#", Permission.READWRITE),
            role(2, "viewer", "plant/+/temp", Permission.READ),
            role(3, "viewer", "plant/line1/temp", Permission.READ),
            role(4, "ops", "plant/#", Permission.READWRITE),
            role(5, "ops", "plant/secret/#", Permission.DENY),
            role(6, "sysmon", "$SYS/#", Permission.READ),
            role(7, "all", "#", Permission.READWRITE),
            role(8, "plusall", "+/#", Permission.READ),
            role(9, "device", "devices/%c", Permission.READWRITE),
            role(10, "device", "devices/%c/status", Permission.WRITE),
            role(11, "alerts", "alerts/#", Permission.SUBSCRIBE),
            role(12, "commander", "cmd/+", Permission.WRITE),
            role(13, "gaps", "a//b", Permission.READWRITE),
            role(14, "gaps", "/lead", Permission.READWRITE),
            role(15, "gaps", "trail/", Permission.READWRITE),
            role(16, "intl", "usine/température/#", Permission.READWRITE),
            role(17, "intl", "工厂/+/温度", Permission.READ),
            role(18, "worker", "jobs/+", Permission.READ),
            account(19, "alice", "private/alice/#", Permission.READWRITE),
            account(20, "alice", "private/alice/diary", Permission.DENY),
            role(21, "mixer", "mix/#", Permission.READ),
            role(22, "mixer", "mix/out", Permission.WRITE),
            role(23, "open", "open/#", Permission.READWRITE),
            role(24, "open", "open/%u/#", Permission.DENY),
            role(26, "viewer", "plant/line2/#", Permission.READ),
            role(28, "ops", "plant/#", Permission.READ),
            role(30, "single", "+", Permission.READWRITE),
            role(31, "dollar", "+/x", Permission.READWRITE),
            role(32, "guarded", "zone/#", Permission.READWRITE),
            role(33, "guarded", "zone/+/locked", Permission.DENY),
            role(34, "guarded", "zone/%c/private", Permission.DENY),
            role(35, "rooted", "$clients/#", Permission.READWRITE),
            role(36, "rooted", "%c/secret", Permission.DENY),
            account(37, "$svc", "svc/#", Permission.READWRITE),
            account(38, "$svc", "%u/#", Permission.DENY),
            account(39, "$svc", "svc/%u/#", Permission.DENY));

    private static final AclIndex INDEX = AclIndex.build(RULES);

    static Stream<Arguments> decisions() {
        return Stream.of(
                // 1. which permission grants which access
                allow("sensorPublishesInOwnNamespace", "sensor1", "sensor", "c1", WRITE, "sensor1/temp", 1),
                allow("sensorReadsOwnNamespace", "sensor1", "sensor", "c1", READ, "sensor1/temp", 1),
                allow("sensorSubscribesOwnNamespace", "sensor1", "sensor", "c1", SUBSCRIBE, "sensor1/#", 1),
                allow("readwriteGrantsReadwrite", "sensor1", "sensor", "c1", READWRITE, "sensor1/x", 1),
                allow("readGrantsRead", "v", "viewer", "c1", READ, "plant/line1/temp", 2),
                allow("readGrantsSubscribe", "v", "viewer", "c1", SUBSCRIBE, "plant/line1/temp", 2),
                deny("readDoesNotGrantWrite", "v", "viewer", "c1", WRITE, "plant/line1/temp", AclIndex.DEFAULT_DENY, 0),
                deny("readDoesNotGrantReadwrite", "v", "viewer", "c1", READWRITE, "plant/line1/temp",
                        AclIndex.DEFAULT_DENY, 0),
                allow("subscribeGrantsSubscribe", "u", "alerts", "c1", SUBSCRIBE, "alerts/fire", 11),
                deny("subscribeDoesNotGrantRead", "u", "alerts", "c1", READ, "alerts/fire", AclIndex.DEFAULT_DENY, 0),
                deny("subscribeDoesNotGrantWrite", "u", "alerts", "c1", WRITE, "alerts/fire", AclIndex.DEFAULT_DENY, 0),
                allow("writeGrantsWrite", "u", "commander", "c1", WRITE, "cmd/reboot", 12),
                deny("writeDoesNotGrantRead", "u", "commander", "c1", READ, "cmd/reboot", AclIndex.DEFAULT_DENY, 0),
                deny("writeDoesNotGrantSubscribe", "u", "commander", "c1", SUBSCRIBE, "cmd/reboot",
                        AclIndex.DEFAULT_DENY, 0),
                allow("readwriteFromTwoRules", "u", "mixer", "c1", READWRITE, "mix/out", 21),
                deny("readwriteNeedsWriteToo", "u", "mixer", "c1", READWRITE, "mix/in", AclIndex.DEFAULT_DENY, 0),
                deny("readwriteDeniedWhenDenyMatches", "u", "ops viewer", "c1", READWRITE, "plant/secret/x",
                        AclIndex.DENY, 5),

                // 2. default deny
                deny("deniesPublishOutsideOwnNamespace", "sensor1", "sensor", "c1", WRITE, "other/temp",
                        AclIndex.DEFAULT_DENY, 0),
                deny("deniesUserWithoutRoles", "nobody", "", "c1", READ, "plant/line1/temp", AclIndex.DEFAULT_DENY, 0),
                deny("deniesUnknownRole", "u", "ghost", "c1", READ, "plant/line1/temp", AclIndex.DEFAULT_DENY, 0),

                // 3. explicit deny beats allow
                deny("denyBeatsAllowOnPublish", "u", "ops", "c1", WRITE, "plant/secret/key", AclIndex.DENY, 5),
                deny("denyHashMatchesParent", "u", "ops", "c1", READ, "plant/secret", AclIndex.DENY, 5),
                allow("denyDoesNotMatchSimilarName", "u", "ops", "c1", READ, "plant/secretive", 4),
                deny("denyBeatsAllowFromOtherRole", "u", "ops all", "c1", WRITE, "plant/secret/x", AclIndex.DENY, 5),
                deny("denyIntersectsHashSubscription", "u", "ops", "c1", SUBSCRIBE, "plant/#", AclIndex.DENY, 5),
                deny("denyIntersectsPlusSubscription", "u", "ops", "c1", SUBSCRIBE, "plant/+/x", AclIndex.DENY, 5),
                allow("disjointSubscriptionAllowed", "u", "ops", "c1", SUBSCRIBE, "plant/line1/#", 4),
                deny("denyIntersectsLeadingPlus", "u", "ops", "c1", SUBSCRIBE, "+/secret/x", AclIndex.DENY, 5),
                deny("denyIntersectsWholeTreeSubscription", "u", "ops all", "c1", SUBSCRIBE, "#", AclIndex.DENY, 5),
                deny("denyIntersectsParentSubscription", "u", "ops", "c1", SUBSCRIBE, "plant/secret", AclIndex.DENY, 5),
                deny("accountDenyBeatsAccountAllow", "alice", "", "c1", READ, "private/alice/diary", AclIndex.DENY, 20),
                deny("accountDenyIntersectsPlus", "alice", "", "c1", SUBSCRIBE, "private/alice/+", AclIndex.DENY, 20),
                allow("accountRuleAllowsOwnTopic", "alice", "", "c1", SUBSCRIBE, "private/alice/notes", 19),
                deny("accountRulesBelongToTheirAccount", "bob", "", "c1", READ, "private/alice/notes",
                        AclIndex.DEFAULT_DENY, 0),
                deny("plusDenyIntersectsLiteralSubscription", "u", "guarded", "c1", SUBSCRIBE, "zone/a/locked",
                        AclIndex.DENY, 33),
                deny("plusDenyIntersectsHashSubscription", "u", "guarded", "c1", SUBSCRIBE, "zone/a/#", AclIndex.DENY,
                        33),
                allow("plusDenyLeavesOtherLevelsAlone", "u", "guarded", "c1", SUBSCRIBE, "zone/a/open", 32),
                deny("clientDenyIntersectsPlusSubscription", "u", "guarded", "c9", SUBSCRIBE, "zone/+/private",
                        AclIndex.DENY, 34),
                allow("clientDenyIsForOwnClientOnly", "u", "guarded", "c9", WRITE, "zone/c8/private", 32),

                // 4. READ / WRITE matching
                allow("plusMatchesAnyLevel", "v", "viewer", "c1", READ, "plant/line9/temp", 2),
                deny("plusMatchesOneLevelOnly", "v", "viewer", "c1", READ, "plant/line1/temp/x", AclIndex.DEFAULT_DENY,
                        0),
                deny("plusNeedsALevel", "v", "viewer", "c1", READ, "plant/temp", AclIndex.DEFAULT_DENY, 0),
                allow("singlePlusMatchesSingleLevel", "u", "single", "c1", READ, "weather", 30),
                deny("singlePlusDoesNotMatchTwoLevels", "u", "single", "c1", READ, "weather/today",
                        AclIndex.DEFAULT_DENY, 0),
                allow("lowestIdWinsAmongRoles", "u", "ops all", "c1", READ, "plant/x", 4),

                // 5. subscription coverage
                allow("sameWildcardFilterCovered", "v", "viewer", "c1", SUBSCRIBE, "plant/+/temp", 2),
                deny("hashWideningNotCovered", "v", "viewer", "c1", SUBSCRIBE, "plant/#", AclIndex.DEFAULT_DENY, 0),
                deny("literalRuleDoesNotCoverPlus", "v", "viewer", "c1", SUBSCRIBE, "plant/line1/+",
                        AclIndex.DEFAULT_DENY, 0),
                allow("hashRuleCoversPlus", "v", "viewer", "c1", SUBSCRIBE, "plant/line2/+", 26),
                allow("hashRuleCoversHash", "v", "viewer", "c1", SUBSCRIBE, "plant/line2/#", 26),
                allow("hashRuleCoversParent", "v", "viewer", "c1", SUBSCRIBE, "plant/line2", 26),
                deny("plusRuleDoesNotCoverHash", "v", "viewer", "c1", SUBSCRIBE, "plant/+/#", AclIndex.DEFAULT_DENY, 0),
                allow("rootHashCoversPlusFilter", "u", "all", "c1", SUBSCRIBE, "plant/+/temp", 7),
                allow("rootHashCoversRootHash", "u", "all", "c1", SUBSCRIBE, "#", 7),
                allow("plusHashCoversRootHash", "u", "plusall", "c1", SUBSCRIBE, "#", 8),
                allow("plusHashCoversPlusPlus", "u", "plusall", "c1", SUBSCRIBE, "+/+", 8),
                deny("singlePlusDoesNotCoverHash", "u", "single", "c1", SUBSCRIBE, "#", AclIndex.DEFAULT_DENY, 0),
                allow("singlePlusCoversSinglePlus", "u", "single", "c1", SUBSCRIBE, "+", 30),

                // 6. shared subscriptions
                allow("sharedSubscriptionDecidedOnFilter", "w", "worker", "c1", SUBSCRIBE, "$share/g1/jobs/+", 18),
                allow("sharedReadDecidedOnTopic", "w", "worker", "c1", READ, "$share/g1/jobs/a", 18),
                deny("sharedWideningNotCovered", "w", "worker", "c1", SUBSCRIBE, "$share/g1/jobs/#",
                        AclIndex.DEFAULT_DENY, 0),
                deny("sharedWithoutGroupInvalid", "w", "worker", "c1", SUBSCRIBE, "$share//jobs/a",
                        AclIndex.INVALID_TOPIC, 0),
                deny("sharedWithoutFilterInvalid", "w", "worker", "c1", SUBSCRIBE, "$share/g1", AclIndex.INVALID_TOPIC,
                        0),
                deny("sharedWithEmptyFilterInvalid", "w", "worker", "c1", SUBSCRIBE, "$share/g1/",
                        AclIndex.INVALID_TOPIC, 0),
                deny("bareShareInvalid", "w", "worker", "c1", SUBSCRIBE, "$share", AclIndex.INVALID_TOPIC, 0),
                deny("sharedGroupWithWildcardInvalid", "w", "worker", "c1", SUBSCRIBE, "$share/g+/jobs/a",
                        AclIndex.INVALID_TOPIC, 0),
                deny("sharedWithInvalidFilterInvalid", "w", "worker", "c1", SUBSCRIBE, "$share/g1/jobs/#/x",
                        AclIndex.INVALID_TOPIC, 0),
                allow("sharedWholeTreeWithHashRule", "u", "all", "c1", SUBSCRIBE, "$share/g/#", 7),
                deny("shareNamedUserCannotSmuggleHash", "$share", "sensor", "c1", SUBSCRIBE, "$share/g/#",
                        AclIndex.DEFAULT_DENY, 0),
                deny("shareNamedUserCannotPublishShareTopic", "$share", "sensor", "c1", WRITE, "$share/g/x",
                        AclIndex.DEFAULT_DENY, 0),
                deny("shareNamedClientCannotSmuggleHash", "u", "device", "$share", SUBSCRIBE, "$share/g/#",
                        AclIndex.DEFAULT_DENY, 0),
                deny("sharedSubscriptionStillMeetsDeny", "u", "ops", "c1", SUBSCRIBE, "$share/g/plant/#",
                        AclIndex.DENY, 5),
                deny("sharedSysStillNotReachedByHash", "u", "all", "c1", SUBSCRIBE, "$share/g/$SYS/#",
                        AclIndex.DEFAULT_DENY, 0),

                // 7. '$' topics
                deny("hashRuleDoesNotReadSys", "u", "all", "c1", READ, "$SYS/broker/load", AclIndex.DEFAULT_DENY, 0),
                deny("hashRuleDoesNotWriteSys", "u", "all", "c1", WRITE, "$SYS/broker/load", AclIndex.DEFAULT_DENY, 0),
                deny("hashRuleDoesNotCoverSysSubscription", "u", "all", "c1", SUBSCRIBE, "$SYS/#",
                        AclIndex.DEFAULT_DENY, 0),
                deny("leadingPlusDoesNotMatchSys", "u", "dollar", "c1", READ, "$SYS/x", AclIndex.DEFAULT_DENY, 0),
                allow("leadingPlusMatchesOrdinaryTopic", "u", "dollar", "c1", READ, "sys/x", 31),
                deny("plusHashDoesNotMatchSys", "u", "plusall", "c1", READ, "$SYS/x", AclIndex.DEFAULT_DENY, 0),
                allow("sysRuleReadsSys", "u", "sysmon", "c1", READ, "$SYS/broker/load", 6),
                allow("sysRuleCoversSysSubscription", "u", "sysmon", "c1", SUBSCRIBE, "$SYS/#", 6),
                deny("sysRuleDoesNotCoverWholeTree", "u", "sysmon", "c1", SUBSCRIBE, "#", AclIndex.DEFAULT_DENY, 0),
                deny("singlePlusDoesNotMatchSysLevel", "u", "single", "c1", READ, "$SYS", AclIndex.DEFAULT_DENY, 0),
                allow("leadingPlusSubscriptionCoveredByHash", "u", "all", "c1", SUBSCRIBE, "+/broker/load", 7),
                allow("dollarBelowFirstLevelIsOrdinary", "u", "all", "c1", READ, "a/$SYS/x", 7),
                deny("dollarUsernameDoesNotOpenSys", "$SYS", "sensor", "c1", READ, "$SYS/broker/load",
                        AclIndex.DEFAULT_DENY, 0),

                // 8. invalid topics and filters
                deny("publishWithPlusInvalid", "u", "all", "c1", WRITE, "a/+/b", AclIndex.INVALID_TOPIC, 0),
                deny("publishWithHashInvalid", "u", "all", "c1", WRITE, "a/#", AclIndex.INVALID_TOPIC, 0),
                deny("publishEmptyInvalid", "u", "all", "c1", WRITE, "", AclIndex.INVALID_TOPIC, 0),
                deny("publishWithNulInvalid", "u", "all", "c1", WRITE, "a\u0000b", AclIndex.INVALID_TOPIC, 0),
                deny("readWithWildcardInvalid", "u", "all", "c1", READ, "a/#", AclIndex.INVALID_TOPIC, 0),
                deny("readwriteWithWildcardInvalid", "u", "all", "c1", READWRITE, "a/+", AclIndex.INVALID_TOPIC, 0),
                deny("subscribeHashInMiddleInvalid", "u", "all", "c1", SUBSCRIBE, "a/#/b", AclIndex.INVALID_TOPIC, 0),
                deny("subscribePlusInsideLevelInvalid", "u", "all", "c1", SUBSCRIBE, "a+/b", AclIndex.INVALID_TOPIC, 0),
                deny("subscribeHashInsideLevelInvalid", "u", "all", "c1", SUBSCRIBE, "a/b#", AclIndex.INVALID_TOPIC, 0),
                deny("subscribeEmptyInvalid", "u", "all", "c1", SUBSCRIBE, "", AclIndex.INVALID_TOPIC, 0),
                deny("subscribeWithNulInvalid", "u", "all", "c1", SUBSCRIBE, "a/\u0000", AclIndex.INVALID_TOPIC, 0),
                deny("publishLoneSurrogateInvalid", "u", "all", "c1", WRITE, "a/\ud800", AclIndex.INVALID_TOPIC, 0),

                // 9. %u and %c substitution
                deny("sensorCannotWriteOtherSensor", "sensor1", "sensor", "c1", WRITE, "sensor2/temp",
                        AclIndex.DEFAULT_DENY, 0),
                deny("plusUsernameDoesNotCoverPlus", "+", "sensor", "c1", SUBSCRIBE, "+/#", AclIndex.DEFAULT_DENY, 0),
                deny("hashUsernameDoesNotCoverHash", "#", "sensor", "c1", SUBSCRIBE, "#", AclIndex.DEFAULT_DENY, 0),
                deny("plusUsernameIsNoWildcard", "+", "sensor", "c1", READ, "anything/x", AclIndex.DEFAULT_DENY, 0),
                deny("slashUsernameMatchesNothing", "a/b", "sensor", "c1", WRITE, "a/b/x", AclIndex.DEFAULT_DENY, 0),
                deny("emptyUsernameMatchesNothing", "", "sensor", "c1", WRITE, "/x", AclIndex.DEFAULT_DENY, 0),
                deny("missingUsernameMatchesNothing", null, "sensor", "c1", WRITE, "null/x", AclIndex.DEFAULT_DENY, 0),
                deny("nulUsernameMatchesNothing", "a\u0000", "sensor", "c1", WRITE, "a/x", AclIndex.DEFAULT_DENY, 0),
                deny("wildcardClientIdDoesNotWidenPublish", "u", "device", "a/#", WRITE, "devices/a/x",
                        AclIndex.DEFAULT_DENY, 0),
                deny("wildcardClientIdDoesNotWidenSubscription", "u", "device", "a/#", SUBSCRIBE, "devices/a/#",
                        AclIndex.DEFAULT_DENY, 0),
                deny("plusClientIdDoesNotCoverPlus", "u", "device", "+", SUBSCRIBE, "devices/+", AclIndex.DEFAULT_DENY,
                        0),
                deny("plusClientIdIsNoWildcard", "u", "device", "+", WRITE, "devices/x", AclIndex.DEFAULT_DENY, 0),
                deny("emptyClientIdDoesNotMatchEmptyLevel", "u", "device", "", WRITE, "devices/",
                        AclIndex.DEFAULT_DENY, 0),
                allow("clientIdMatchesOwnLevel", "u", "device", "c7", WRITE, "devices/c7", 9),
                allow("clientIdCoversOwnSubscription", "u", "device", "c7", SUBSCRIBE, "devices/c7", 9),
                deny("clientLevelDoesNotCoverPlus", "u", "device", "c7", SUBSCRIBE, "devices/+", AclIndex.DEFAULT_DENY,
                        0),
                deny("clientCannotWriteOtherClient", "u", "device", "c7", WRITE, "devices/c8", AclIndex.DEFAULT_DENY,
                        0),
                allow("clientIdInsideFilter", "u", "device", "c7", WRITE, "devices/c7/status", 10),
                deny("usernameDenyIntersectsPlus", "bob", "open", "c1", SUBSCRIBE, "open/+/x", AclIndex.DENY, 24),
                deny("usernameDenyMatchesOwnTopic", "bob", "open", "c1", WRITE, "open/bob/x", AclIndex.DENY, 24),
                allow("usernameDenyLeavesOthersAlone", "bob", "open", "c1", WRITE, "open/carol/x", 23),
                deny("usernameDenyIntersectsHash", "bob", "open", "c1", SUBSCRIBE, "open/#", AclIndex.DENY, 24),

                // 10. empty levels
                allow("emptyMiddleLevelMatches", "u", "gaps", "c1", READ, "a//b", 13),
                deny("emptyLevelIsALevel", "u", "gaps", "c1", READ, "a/b", AclIndex.DEFAULT_DENY, 0),
                allow("emptyFirstLevelMatches", "u", "gaps", "c1", READ, "/lead", 14),
                deny("leadingSlashMatters", "u", "gaps", "c1", READ, "lead", AclIndex.DEFAULT_DENY, 0),
                allow("emptyLastLevelMatches", "u", "gaps", "c1", WRITE, "trail/", 15),
                deny("trailingSlashMatters", "u", "gaps", "c1", WRITE, "trail", AclIndex.DEFAULT_DENY, 0),
                deny("plusNotCoveredByEmptyLevelRule", "u", "gaps", "c1", SUBSCRIBE, "a/+/b", AclIndex.DEFAULT_DENY, 0),
                allow("plusMatchesEmptyLevel", "u", "plusall", "c1", READ, "/x", 8),
                allow("hashMatchesOnlySlashes", "u", "all", "c1", READ, "/", 7),

                // 11. unicode
                allow("unicodeLiteralLevelMatches", "u", "intl", "c1", WRITE, "usine/température/four", 16),
                deny("unicodeLevelNotFolded", "u", "intl", "c1", WRITE, "usine/temperature/four",
                        AclIndex.DEFAULT_DENY, 0),
                allow("unicodeAroundPlusMatches", "u", "intl", "c1", READ, "工厂/一号线/温度", 17),
                allow("unicodeFilterCovered", "u", "intl", "c1", SUBSCRIBE, "工厂/+/温度", 17),
                allow("unicodeUsernameSubstituted", "capteur-é", "sensor", "c1", WRITE, "capteur-é/t", 1),
                allow("astralUsernameSubstituted", "🌡️", "sensor", "c1", WRITE, "🌡️/t", 1),

                // 12. a deny rule's %u or %c level fails closed on a value that cannot stand for it
                deny("slashClientIdFailsClosedOnOwnTopic", "u", "guarded", "a/b", WRITE, "zone/a/b/private",
                        AclIndex.DENY, 34),
                deny("slashClientIdFailsClosedEverywhere", "u", "guarded", "a/b", WRITE, "zone/open", AclIndex.DENY,
                        34),
                deny("plusClientIdFailsClosed", "u", "guarded", "+", READ, "zone/x", AclIndex.DENY, 34),
                deny("hashClientIdFailsClosed", "u", "guarded", "#", SUBSCRIBE, "zone/a/open", AclIndex.DENY, 34),
                deny("nulClientIdFailsClosed", "u", "guarded", "c\u0000", READWRITE, "zone/c/private", AclIndex.DENY,
                        34),
                deny("emptyClientIdFailsClosed", "u", "guarded", "", WRITE, "zone//private", AclIndex.DENY, 34),
                deny("missingClientIdFailsClosed", "u", "guarded", null, WRITE, "zone/x", AclIndex.DENY, 34),
                deny("unsafeClientIdFailsClosedOnSharedSubscription", "u", "guarded", "a/b", SUBSCRIBE,
                        "$share/g/zone/a/open", AclIndex.DENY, 34),
                deny("lowerMatchingDenyNamedBeforeUnsafeOne", "u", "guarded", "a/b", WRITE, "zone/x/locked",
                        AclIndex.DENY, 33),
                deny("dollarClientIdStandsBelowFirstLevel", "u", "guarded", "$x", WRITE, "zone/$x/private",
                        AclIndex.DENY, 34),
                allow("dollarClientIdLeavesOthersAlone", "u", "guarded", "$x", WRITE, "zone/$x/open", 32),
                deny("dollarClientIdFailsClosedOnFirstLevel", "u", "rooted", "$clients", WRITE, "$clients/secret",
                        AclIndex.DENY, 36),
                allow("firstLevelClientDenyLeavesOrdinaryClientAlone", "u", "rooted", "c1", WRITE, "$clients/secret",
                        35),
                deny("firstLevelClientDenyMatchesOwnTopic", "u", "rooted", "c1", WRITE, "c1/secret", AclIndex.DENY, 36),
                deny("slashUsernameFailsClosed", "bad/name", "open", "c1", SUBSCRIBE, "open/+/x", AclIndex.DENY, 24),
                deny("emptyUsernameFailsClosed", "", "open", "c1", READ, "open/x", AclIndex.DENY, 24),
                deny("missingUsernameFailsClosed", null, "open", "c1", WRITE, "open/x", AclIndex.DENY, 24),
                deny("plusUsernameFailsClosed", "+", "open", "c1", WRITE, "open/p/x", AclIndex.DENY, 24),
                deny("dollarUsernameStandsBelowFirstLevel", "$admin", "open", "c1", WRITE, "open/$admin/x",
                        AclIndex.DENY, 24),
                allow("dollarUsernameLeavesOthersAlone", "$admin", "open", "c1", WRITE, "open/carol/x", 23),
                deny("accountDenyFailsClosedOnDollarUsername", "$svc", "", "c1", WRITE, "svc/x", AclIndex.DENY, 38),
                deny("unsafeDenyNamedBeforeHigherMatchingOne", "$svc", "", "c1", WRITE, "svc/$svc/x", AclIndex.DENY,
                        38),
                allow("unsafeUsernameIgnoresClientIdDenies", "a/b", "guarded", "c1", WRITE, "zone/open", 32),
                allow("unsafeClientIdHarmlessWithoutSuchDeny", "u", "all", "a/b", WRITE, "zone/open", 7),
                deny("allowRulesStillMatchNothingForUnsafeClientId", "u", "device", "a/b", WRITE, "devices/a/b",
                        AclIndex.DEFAULT_DENY, 0),
                allow("unsafeClientIdHarmlessForRoleNotHeld", "u", "open", "a/b", WRITE, "open/x", 23));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void decidesAsTheTableSays(String name, Request request, boolean allowed, String reason, long ruleId) {
        Decision decision = INDEX.decide(request.username(), request.roles(), request.clientId(), request.topic(),
                request.access());

        assertThat(decision.allowed()).as("allowed").isEqualTo(allowed);
        assertThat(decision.reason()).as("reason").isEqualTo(reason);
        if (ruleId > 0) {
            assertThat(decision.detail()).as("detail").startsWith("#" + ruleId + " ");
        } else if (reason.equals(AclIndex.DEFAULT_DENY) && request.access() != READWRITE) {
            assertThat(decision.detail()).as("detail").startsWith("no rule matches");
        }
    }

    @Test
    void namesTheSharedGroupInTheDetail() {
        Decision decision = INDEX.decide("w", Set.of("worker"), "c1", "$share/g1/jobs/+", SUBSCRIBE);

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.detail()).isEqualTo(RULES.get(17).describe() + " (shared group g1)");
    }

    @Test
    void namesTheDenyRuleInTheDetail() {
        Decision decision = INDEX.decide("u", Set.of("ops"), "c1", "plant/#", SUBSCRIBE);

        assertThat(decision).isEqualTo(Decision.deny(AclIndex.DENY, "#5 role:ops deny plant/secret/#"));
    }

    @Test
    void namesTheUnsafeClientIdInTheDetail() {
        Decision decision = INDEX.decide("u", Set.of("guarded"), "a/b", "zone/a/b/private", WRITE);

        assertThat(decision).isEqualTo(Decision.deny(AclIndex.DENY,
                "#34 role:guarded deny zone/%c/private (unsafe client id for substitution)"));
    }

    @Test
    void namesTheUnsafeUsernameInTheDetail() {
        Decision decision = INDEX.decide("bad/name", Set.of("open"), "c1", "$share/g/open/+/x", SUBSCRIBE);

        assertThat(decision).isEqualTo(Decision.deny(AclIndex.DENY,
                "#24 role:open deny open/%u/# (unsafe username for substitution) (shared group g)"));
    }

    @Test
    void namesTheUsernameWhenOneDenyRuleFailsClosedOnBoth() {
        AclIndex index = AclIndex.build(List.of(role(1, "r", "#", Permission.READWRITE),
                role(2, "r", "%u/%c", Permission.DENY)));

        assertThat(index.decide("a/b", Set.of("r"), "c/d", "x", WRITE).detail())
                .isEqualTo("#2 role:r deny %u/%c (unsafe username for substitution)");
        assertThat(index.decide("u", Set.of("r"), "c/d", "x", WRITE).detail())
                .isEqualTo("#2 role:r deny %u/%c (unsafe client id for substitution)");
    }

    @ParameterizedTest
    @EnumSource(Access.class)
    void deniesTopicDeeperThanTheLimitWithoutRecursing(Access access) {
        AclIndex index = AclIndex.build(List.of(role(1, "deep", "+/".repeat(255) + "#", Permission.READWRITE),
                role(2, "deep", "a/".repeat(255) + "%c", Permission.DENY)));
        String topic = "a/".repeat(4_999) + "a";

        Decision decision = index.decide("u", Set.of("deep"), "a", topic, access);

        assertThat(decision).isEqualTo(Decision.deny(AclIndex.INVALID_TOPIC, "more than 256 levels"));
    }

    @ParameterizedTest
    @EnumSource(value = Access.class, names = {"READ", "SUBSCRIBE"})
    void deniesSharedFilterDeeperThanTheLimit(Access access) {
        Decision decision = INDEX.decide("u", Set.of("all"), "c1", "$share/g/" + "a/".repeat(4_999) + "a", access);

        assertThat(decision).isEqualTo(Decision.deny(AclIndex.INVALID_TOPIC, "more than 256 levels"));
    }

    @Test
    void decidesTopicOfExactlyTheMaximumDepth() {
        String deep = "a/".repeat(255) + "a";
        AclIndex index = AclIndex.build(List.of(role(1, "deep", "+/".repeat(255) + "+", Permission.READWRITE),
                role(2, "deep", "a/".repeat(255) + "%c", Permission.DENY)));

        assertThat(index.decide("u", Set.of("deep"), "b", deep, READ).detail()).startsWith("#1 ");
        assertThat(index.decide("u", Set.of("deep"), "b", deep, WRITE).allowed()).isTrue();
        assertThat(index.decide("u", Set.of("deep"), "b", deep, SUBSCRIBE).allowed()).isTrue();
        assertThat(index.decide("u", Set.of("deep"), "b", "a/".repeat(255) + "+", SUBSCRIBE).reason())
                .isEqualTo(AclIndex.DENY);
        assertThat(index.decide("u", Set.of("deep"), "a", deep, WRITE).reason()).isEqualTo(AclIndex.DENY);
        assertThat(index.decide("u", Set.of("deep"), "b", deep + "/a", READ).reason())
                .isEqualTo(AclIndex.INVALID_TOPIC);
    }

    @Test
    void refusesToIndexARuleDeeperThanTheLimit() {
        List<AclRule> rules = List.of(role(42, "deep", "a/".repeat(256) + "#", Permission.READ));

        assertThatThrownBy(() -> AclIndex.build(rules)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("#42").hasMessageContaining("more than 256 levels");
    }

    @Test
    void reusesTheDecidingRulesDecisionAcrossRequests() {
        Decision first = INDEX.decide("v", Set.of("viewer"), "c1", "plant/line1/temp", READ);
        Decision second = INDEX.decide("w", Set.of("viewer"), "c2", "plant/line7/temp", SUBSCRIBE);
        Decision denied = INDEX.decide("u", Set.of("ops"), "c1", "plant/secret/x", WRITE);

        assertThat(second).isSameAs(first)
                .isEqualTo(Decision.allow(AclIndex.ALLOW, "#2 role:viewer read plant/+/temp"));
        assertThat(INDEX.decide("u", Set.of("ops"), "c2", "plant/secret", READ)).isSameAs(denied);
    }

    @Test
    void namesBothRulesWhenReadAndWriteComeFromDifferentRules() {
        Decision decision = INDEX.decide("u", Set.of("mixer"), "c1", "mix/out", READWRITE);

        assertThat(decision.detail()).contains("#21 ").contains("#22 ");
    }

    @Test
    void saysWhichHalfIsMissingForReadwrite() {
        Decision decision = INDEX.decide("u", Set.of("mixer"), "c1", "mix/in", READWRITE);

        assertThat(decision).isEqualTo(Decision.deny(AclIndex.DEFAULT_DENY, "no rule grants write"));
    }

    @Test
    void deniesMissingTopicAsInvalid() {
        assertThat(INDEX.decide("u", Set.of("all"), "c1", null, WRITE).reason()).isEqualTo(AclIndex.INVALID_TOPIC);
    }

    @Test
    void toleratesMissingRolesAndClientId() {
        Decision decision = INDEX.decide("alice", null, null, "private/alice/notes", READ);

        assertThat(decision.allowed()).isTrue();
    }

    @Test
    void emptyIndexDeniesEverything() {
        Decision decision = AclIndex.empty().decide("u", Set.of("all"), "c1", "a", READ);

        assertThat(decision).isEqualTo(Decision.deny(AclIndex.DEFAULT_DENY, "no rule matches"));
    }

    @Test
    void prefersLowestIdWhateverTheOrderOfRules() {
        List<AclRule> reversed = new ArrayList<>(RULES);
        Collections.reverse(reversed);
        AclIndex index = AclIndex.build(reversed);

        assertThat(index.decide("v", Set.of("viewer"), "c1", "plant/line1/temp", READ).detail()).startsWith("#2 ");
        assertThat(index.decide("u", Set.of("ops", "all"), "c1", "plant/x", READ).detail()).startsWith("#4 ");
    }

    @Test
    void refusesToIndexASharedSubscriptionRule() {
        List<AclRule> rules = List.of(role(40, "sneaky", "$share/g/#", Permission.READWRITE));

        assertThatThrownBy(() -> AclIndex.build(rules)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("#40").hasMessageContaining("$share/");
    }

    @Test
    void refusesToIndexPartialSubstitution() {
        List<AclRule> rules = List.of(role(41, "sloppy", "dev/%u-x", Permission.READ));

        assertThatThrownBy(() -> AclIndex.build(rules)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("%u");
    }

    @Test
    void countsIndexedRules() {
        assertThat(INDEX.size()).isEqualTo(RULES.size());
    }

    @Test
    void decidesRightAmongAHundredThousandRules() {
        List<AclRule> rules = new ArrayList<>();
        long id = 1;
        for (int s = 0; s < 10_000; s++) {
            for (int r = 0; r < 10; r++) {
                rules.add(new AclRule(id++, s % 2 == 0 ? SubjectType.ROLE : SubjectType.ACCOUNT, "subject" + s,
                        "site" + s + "/line" + r + "/+/value", r == 9 ? Permission.DENY : Permission.READWRITE, ""));
            }
        }
        AclIndex index = AclIndex.build(rules);
        assertThat(index.size()).isEqualTo(100_000);
        Set<String> roles = new HashSet<>(Arrays.asList("subject4", "subject6", "subject8"));

        assertThat(index.decide("subject5", roles, "c", "site4/line3/m1/value", WRITE).allowed()).isTrue();
        assertThat(index.decide("subject5", roles, "c", "site5/line3/m1/value", WRITE).allowed()).isTrue();
        assertThat(index.decide("subject5", roles, "c", "site6/line9/m1/value", WRITE).reason())
                .isEqualTo(AclIndex.DENY);
        assertThat(index.decide("subject5", roles, "c", "site7/line3/m1/value", WRITE).allowed()).isFalse();
        assertThat(index.decide("subject5", roles, "c", "site8/+/m1/value", SUBSCRIBE).reason())
                .isEqualTo(AclIndex.DENY);

        // how fast it decides at 100 000 rules is measured by JMH (BENCHMARKS.md section 1), not timed here
    }

    /** One request of the table. */
    record Request(String username, Set<String> roles, String clientId, Access access, String topic) {

        @Override
        public String toString() {
            return username + " " + roles + " " + clientId + " " + access + " " + topic;
        }
    }

    private static Arguments allow(String name, String username, String roles, String clientId, Access access,
            String topic, long ruleId) {
        return Arguments.of(name, request(username, roles, clientId, access, topic), true, AclIndex.ALLOW, ruleId);
    }

    private static Arguments deny(String name, String username, String roles, String clientId, Access access,
            String topic, String reason, long ruleId) {
        return Arguments.of(name, request(username, roles, clientId, access, topic), false, reason, ruleId);
    }

    private static Request request(String username, String roles, String clientId, Access access, String topic) {
        Set<String> roleSet = roles.isEmpty() ? Set.of() : Set.of(roles.split(" "));
        return new Request(username, roleSet, clientId, access, topic);
    }

    private static AclRule role(long id, String role, String filter, Permission permission) {
        return new AclRule(id, SubjectType.ROLE, role, filter, permission, "");
    }

    private static AclRule account(long id, String account, String filter, Permission permission) {
        return new AclRule(id, SubjectType.ACCOUNT, account, filter, permission, "");
    }
}
