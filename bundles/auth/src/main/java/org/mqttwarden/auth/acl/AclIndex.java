package org.mqttwarden.auth.acl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.InvalidInputException;
import org.mqttwarden.api.account.SubjectType;
import org.mqttwarden.api.auth.Access;
import org.mqttwarden.api.auth.Decision;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * ACL rules indexed for fast decisions: per role and per account a trie of the rules' filters.
 * Immutable and thread-safe; build a new one when the rules change.
 *
 * <p>A request is decided by the rules of the asking account and of the roles it holds. An explicit
 * deny wins over any allow; with no allow the answer is a denial. Superusers are not handled here.
 *
 * <p>A {@code %u} or {@code %c} level stands for one whole level. When the username or client id
 * cannot (it is missing or empty, holds {@code /}, {@code +}, {@code #} or NUL, or starts with
 * {@code $} for a first level), allow rules with such a level match nothing, but deny rules with
 * such a level deny the request whatever its topic: a client choosing its own id {@code a/b} must
 * not slip past a deny on {@code zone/%c/private}.
 *
 * <p>Reason codes: {@value #ALLOW}, {@value #DENY} (a deny rule decided), {@value #DEFAULT_DENY} (no
 * rule allows), {@value #INVALID_TOPIC} (the topic or filter is not valid for the access asked, or
 * has more than {@value TopicNames#MAX_LEVELS} levels).
 */
public final class AclIndex {

    public static final String ALLOW = "acl.allow";
    public static final String DENY = "acl.deny";
    public static final String DEFAULT_DENY = "acl.default-deny";
    public static final String INVALID_TOPIC = "acl.invalid-topic";

    private static final AclIndex EMPTY = new AclIndex(Map.of(), username -> null, 0);
    /** Stands in the account cache for an account without rules of its own. */
    private static final FilterTrie NO_RULES = new FilterTrie.Builder().build();

    private static final Decision NO_RULE_MATCHES = Decision.deny(DEFAULT_DENY, "no rule matches");
    private static final Decision NO_READ = Decision.deny(DEFAULT_DENY, "no rule grants read");
    private static final Decision NO_WRITE = Decision.deny(DEFAULT_DENY, "no rule grants write");
    private static final Decision NO_TOPIC = Decision.deny(INVALID_TOPIC, "no topic");
    private static final Decision MALFORMED_SHARE = Decision.deny(INVALID_TOPIC,
            "malformed shared subscription: $share/<group>/<filter> expected");
    private static final Decision NOT_A_FILTER = Decision.deny(INVALID_TOPIC, "not a valid topic filter");
    private static final Decision NOT_A_TOPIC = Decision.deny(INVALID_TOPIC, "not a valid topic name");
    private static final Decision TOO_MANY_LEVELS = Decision.deny(INVALID_TOPIC,
            "more than " + TopicNames.MAX_LEVELS + " levels");

    private final Map<String, FilterTrie> byRole;
    /** An account's own trie, or null when it has no rules of its own. */
    private final Function<String, FilterTrie> byAccount;
    private final int size;

    private AclIndex(Map<String, FilterTrie> byRole, Function<String, FilterTrie> byAccount, int size) {
        this.byRole = byRole;
        this.byAccount = byAccount;
        this.size = size;
    }

    /** @return an index without rules: it denies everything */
    public static AclIndex empty() {
        return EMPTY;
    }

    /**
     * Indexes rules.
     *
     * @throws InvalidInputException naming the rule when a rule's filter is not valid (see
     *     {@link TopicNames#validateRuleFilter}); such a rule should never have been stored
     */
    public static AclIndex build(List<AclRule> rules) {
        Map<String, FilterTrie.Builder> roles = new HashMap<>();
        Map<String, FilterTrie.Builder> accounts = new HashMap<>();
        for (AclRule rule : rules) {
            Map<String, FilterTrie.Builder> bySubject = rule.subjectType() == SubjectType.ROLE ? roles : accounts;
            bySubject.computeIfAbsent(rule.subject(), s -> new FilterTrie.Builder()).add(validated(rule));
        }
        return new AclIndex(freeze(roles), freeze(accounts)::get, rules.size());
    }

    /**
     * Indexes the roles' rules now and each account's own rules when that account is first decided,
     * at most {@code maxAccounts} accounts' tries kept (Caffeine's size bound: the least useful go first). A change to
     * one account's rules then costs a look-up of that account's rules, not an index of every rule.
     *
     * @param roleRules the rules of every role (rules of another subject type are refused)
     * @param accountRules an account's own rules; may throw, and the decision that asked then does
     * @throws InvalidInputException naming the rule when a role rule is not valid; an invalid account
     *     rule makes the decisions of that account throw it
     */
    public static AclIndex build(List<AclRule> roleRules, Function<String, List<AclRule>> accountRules,
            int maxAccounts) {
        Map<String, FilterTrie.Builder> roles = new HashMap<>();
        for (AclRule rule : roleRules) {
            if (rule.subjectType() != SubjectType.ROLE) {
                throw new IllegalArgumentException("Not a role rule: " + rule.describe());
            }
            roles.computeIfAbsent(rule.subject(), s -> new FilterTrie.Builder()).add(validated(rule));
        }
        Cache<String, FilterTrie> accounts = Caffeine.newBuilder().maximumSize(maxAccounts).executor(Runnable::run)
                .build();
        Function<String, FilterTrie> lookup = username -> {
            FilterTrie trie = accounts.getIfPresent(username);
            if (trie == null) {
                List<AclRule> own = accountRules.apply(username);
                FilterTrie.Builder builder = new FilterTrie.Builder();
                for (AclRule rule : own) {
                    builder.add(validated(rule));
                }
                trie = own.isEmpty() ? NO_RULES : builder.build();
                accounts.put(username, trie);
            }
            return trie == NO_RULES ? null : trie;
        };
        return new AclIndex(freeze(roles), lookup, roleRules.size());
    }

    private static AclRule validated(AclRule rule) {
        try {
            TopicNames.validateRuleFilter(rule.topicFilter());
        } catch (InvalidInputException e) {
            throw new InvalidInputException("Rule " + rule.describe() + " cannot be used: " + e.getMessage());
        }
        return rule;
    }

    private static Map<String, FilterTrie> freeze(Map<String, FilterTrie.Builder> builders) {
        Map<String, FilterTrie> tries = new HashMap<>(builders.size() * 2);
        builders.forEach((subject, builder) -> tries.put(subject, builder.build()));
        return Map.copyOf(tries);
    }

    /** @return the number of rules indexed when it was built (for a lazy index: the role rules) */
    public int size() {
        return size;
    }

    /**
     * Decides one access.
     *
     * @param username the asking account; its own rules apply and it stands for {@code %u}
     * @param roles the roles the account holds; their rules apply
     * @param clientId the client id; it stands for {@code %c}
     * @param topic for READ and WRITE the topic, for SUBSCRIBE the requested filter; for READ and
     *     SUBSCRIBE possibly {@code $share/<group>/<filter>}, decided on the filter part with the
     *     group named in the detail
     * @param access the access asked for; READWRITE needs both a read and a write grant
     * @return an allowing decision ({@value #ALLOW}, the lowest-id allowing rule(s) in the detail), or
     *     a denying one: {@value #DENY} with the lowest-id deny rule that matches or fails closed on
     *     the username or client id (then marked {@code (unsafe username for substitution)} or
     *     {@code (unsafe client id for substitution)}), {@value #DEFAULT_DENY} when nothing allows,
     *     {@value #INVALID_TOPIC} when the topic or filter is malformed or has more than
     *     {@value TopicNames#MAX_LEVELS} levels
     */
    public Decision decide(String username, Set<String> roles, String clientId, String topic, Access access) {
        Objects.requireNonNull(access, "access");
        if (topic == null) {
            return NO_TOPIC;
        }
        String group = null;
        String target = topic;
        if ((access == Access.READ || access == Access.SUBSCRIBE) && TopicNames.isShared(topic)) {
            Optional<TopicNames.Shared> shared = TopicNames.parseShared(topic);
            if (shared.isEmpty()) {
                return MALFORMED_SHARE;
            }
            group = shared.get().group();
            target = shared.get().filter();
        }
        boolean subscribe = access == Access.SUBSCRIBE;
        if (subscribe && (!TopicNames.isValidSubscribeFilter(target) || TopicNames.isShared(target))) {
            return NOT_A_FILTER;
        }
        if (!subscribe && !TopicNames.isValidPublishTopic(target)) {
            return NOT_A_TOPIC;
        }
        // the walks go one call deeper per level: bound the depth before splitting
        if (TopicNames.levelCount(target) > TopicNames.MAX_LEVELS) {
            return TOO_MANY_LEVELS;
        }
        String[] levels = TopicNames.levels(target);
        Decision decision = subscribe ? decideSubscribe(username, roles, clientId, levels)
                : decideTopic(username, roles, clientId, levels, access);
        if (group == null) {
            return decision;
        }
        return new Decision(decision.allowed(), decision.reason(), decision.detail() + " (shared group " + group + ")");
    }

    private Decision decideTopic(String username, Set<String> roles, String clientId, String[] topic, Access access) {
        FilterTrie.Walk walk = new FilterTrie.Walk(username, clientId);
        FilterTrie own = username == null ? null : byAccount.apply(username);
        if (own != null) {
            walk.failClosed(own);
            own.match(topic, walk);
        }
        if (roles != null) {
            for (String role : roles) {
                FilterTrie trie = byRole.get(role);
                if (trie != null) {
                    walk.failClosed(trie);
                    trie.match(topic, walk);
                }
            }
        }
        Decision denial = walk.denial();
        if (denial != null) {
            return denial;
        }
        switch (access) {
            case READ:
                return walk.read != null ? walk.read.decision : NO_RULE_MATCHES;
            case WRITE:
                return walk.write != null ? walk.write.decision : NO_RULE_MATCHES;
            case READWRITE:
                if (walk.read != null && walk.write != null) {
                    if (walk.read == walk.write) {
                        return walk.read.decision;
                    }
                    return Decision.allow(ALLOW, walk.read.decision.detail() + " and " + walk.write.decision.detail());
                }
                if (walk.read == null && walk.write == null) {
                    return NO_RULE_MATCHES;
                }
                return walk.read == null ? NO_READ : NO_WRITE;
            default:
                throw new IllegalArgumentException("Not a topic access: " + access);
        }
    }

    private Decision decideSubscribe(String username, Set<String> roles, String clientId, String[] filter) {
        FilterTrie.Walk walk = new FilterTrie.Walk(username, clientId);
        FilterTrie own = username == null ? null : byAccount.apply(username);
        if (own != null) {
            walk.failClosed(own);
            own.intersectDenies(filter, walk);
            own.cover(filter, walk);
        }
        if (roles != null) {
            for (String role : roles) {
                FilterTrie trie = byRole.get(role);
                if (trie != null) {
                    walk.failClosed(trie);
                    trie.intersectDenies(filter, walk);
                    trie.cover(filter, walk);
                }
            }
        }
        Decision denial = walk.denial();
        if (denial != null) {
            return denial;
        }
        return walk.subscribe != null ? walk.subscribe.decision : NO_RULE_MATCHES;
    }
}
