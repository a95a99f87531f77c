package org.mqttwarden.auth.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.InvalidInputException;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Access;

/** The index that loads an account's own rules when the account is first decided (100 000 accounts scale). */
class LazyAclIndexTest {

    private static final List<AclRule> ROLE_RULES = List.of(
            new AclRule(1, SubjectType.ROLE, "sensor", "%u/#", Permission.READWRITE, ""),
            new AclRule(2, SubjectType.ROLE, "sensor", "plant/secret/#", Permission.DENY, ""));

    private final List<String> loads = new ArrayList<>();
    private final Map<String, List<AclRule>> own = Map.of(
            "plc-1", List.of(new AclRule(3, SubjectType.ACCOUNT, "plc-1", "plant/line1/#", Permission.WRITE, "")),
            "plc-2", List.of(new AclRule(4, SubjectType.ACCOUNT, "plc-2", "plant/line1/#", Permission.DENY, "")),
            "broken", List.of(new AclRule(5, SubjectType.ACCOUNT, "broken", "a/#/b", Permission.READ, "")));

    private final Function<String, List<AclRule>> loader = username -> {
        loads.add(username);
        return own.getOrDefault(username, List.of());
    };

    private boolean allowed(AclIndex index, String user, String topic, Access access) {
        return index.decide(user, Set.of("sensor"), "c-" + user, topic, access).allowed();
    }

    @Test
    void decidesAsTheFullIndexDoes() {
        AclIndex lazy = AclIndex.build(ROLE_RULES, loader, 100);
        List<AclRule> all = new ArrayList<>(ROLE_RULES);
        own.forEach((u, rules) -> {
            if (!u.equals("broken")) {
                all.addAll(rules);
            }
        });
        AclIndex full = AclIndex.build(all);
        for (String user : List.of("plc-1", "plc-2", "plc-3")) {
            for (String topic : List.of("plant/line1/valve", user + "/temp", "plant/secret/x", "other/x")) {
                for (Access access : List.of(Access.READ, Access.WRITE, Access.READWRITE)) {
                    assertThat(lazy.decide(user, Set.of("sensor"), "c", topic, access))
                            .as(user + " " + topic + " " + access)
                            .isEqualTo(full.decide(user, Set.of("sensor"), "c", topic, access));
                }
            }
        }
        assertThat(allowed(lazy, "plc-1", "plant/line1/valve", Access.WRITE)).isTrue();
        assertThat(allowed(lazy, "plc-2", "plc-2/x", Access.WRITE)).isTrue();
        assertThat(allowed(lazy, "plc-2", "plant/line1/valve", Access.WRITE)).isFalse();
    }

    @Test
    void loadsAnAccountsRulesOnceAndOnlyWhenItIsDecided() {
        AclIndex lazy = AclIndex.build(ROLE_RULES, loader, 100);
        assertThat(loads).isEmpty();
        allowed(lazy, "plc-1", "plc-1/t", Access.WRITE);
        allowed(lazy, "plc-1", "plant/line1/t", Access.WRITE);
        allowed(lazy, "plc-3", "plc-3/t", Access.WRITE);
        allowed(lazy, "plc-3", "plc-3/u", Access.READ);
        assertThat(loads).containsExactly("plc-1", "plc-3");
        assertThat(lazy.size()).isEqualTo(2);
    }

    @Test
    void keepsAtMostTheBoundOfAccountsAndStillDecidesRightAfterStartingOver() {
        AclIndex lazy = AclIndex.build(ROLE_RULES, loader, 2);
        for (int round = 0; round < 3; round++) {
            assertThat(allowed(lazy, "plc-1", "plant/line1/v", Access.WRITE)).isTrue();
            assertThat(allowed(lazy, "plc-2", "plant/line1/v", Access.WRITE)).isFalse();
            assertThat(allowed(lazy, "plc-3", "plant/line1/v", Access.WRITE)).isFalse();
        }
        assertThat(loads.size()).as("reloaded after the cache started over").isGreaterThan(3);
    }

    @Test
    void anInvalidStoredAccountRuleFailsThatAccountOnlyAndARoleRuleAtBuild() {
        AclIndex lazy = AclIndex.build(ROLE_RULES, loader, 100);
        assertThatThrownBy(() -> allowed(lazy, "broken", "broken/t", Access.WRITE))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("a/#/b");
        assertThat(allowed(lazy, "plc-1", "plant/line1/v", Access.WRITE)).isTrue();
        assertThatThrownBy(() -> AclIndex.build(List.of(
                new AclRule(9, SubjectType.ROLE, "r", "x/#/y", Permission.READ, "")), loader, 10))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> AclIndex.build(own.get("plc-1"), loader, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailingLoaderFailsTheDecisionNotTheIndex() {
        AclIndex lazy = AclIndex.build(ROLE_RULES, u -> {
            if (u.equals("plc-1")) {
                throw new IllegalStateException("store down");
            }
            return List.of();
        }, 100);
        assertThatThrownBy(() -> allowed(lazy, "plc-1", "plc-1/t", Access.WRITE))
                .isInstanceOf(IllegalStateException.class);
        assertThat(allowed(lazy, "plc-3", "plc-3/t", Access.WRITE)).isTrue();
    }
}
