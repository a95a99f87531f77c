package org.mqttwarden.auth.acl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.auth.Decision;

/**
 * The rules of one subject (a role or an account) as a trie keyed on the levels of their filters.
 * Each node has a child per literal level and one each for {@code +}, {@code %u} and {@code %c};
 * rules ending at a node sit in its {@code exact} slot, rules ending with {@code /#} after it (or
 * {@code #} alone, at the root) in its {@code multi} slot. Immutable once built.
 *
 * <p>The walks follow a topic or a requested filter down the trie and hand every slot that applies
 * to a {@link Walk}, which keeps the lowest-id rule of each kind.
 *
 * <p>A deny rule with a {@code %u} or {@code %c} level fails closed: when the username or client id
 * cannot stand for that level (see {@link Walk#isLevelValue}), the rule denies every request rather
 * than match nothing. The trie keeps the lowest-id such rule per case, so a walk checks them in
 * constant time ({@link Walk#failClosed}).
 */
final class FilterTrie {

    private final Node root;
    private final int size;
    /** The lowest-id deny rule with a {@code %u} level anywhere, or {@code null}. */
    final IndexedRule denyWithUsername;
    /** The lowest-id deny rule with {@code %u} as its first level, or {@code null}. */
    final IndexedRule denyWithUsernameAtRoot;
    /** The lowest-id deny rule with a {@code %c} level anywhere, or {@code null}. */
    final IndexedRule denyWithClientId;
    /** The lowest-id deny rule with {@code %c} as its first level, or {@code null}. */
    final IndexedRule denyWithClientIdAtRoot;

    private FilterTrie(Node root, int size, IndexedRule denyWithUsername, IndexedRule denyWithUsernameAtRoot,
            IndexedRule denyWithClientId, IndexedRule denyWithClientIdAtRoot) {
        this.root = root;
        this.size = size;
        this.denyWithUsername = denyWithUsername;
        this.denyWithUsernameAtRoot = denyWithUsernameAtRoot;
        this.denyWithClientId = denyWithClientId;
        this.denyWithClientIdAtRoot = denyWithClientIdAtRoot;
    }

    int size() {
        return size;
    }

    /**
     * Collects the denies and grants of every rule whose filter matches {@code topic}, a topic name
     * without wildcards (READ and WRITE).
     */
    void match(String[] topic, Walk walk) {
        match(root, topic, 0, walk);
    }

    /** Collects the subscribe grants of every rule whose filter covers all of {@code filter}. */
    void cover(String[] filter, Walk walk) {
        cover(root, filter, 0, walk);
    }

    /** Collects every deny rule whose filter matches some topic {@code filter} matches too. */
    void intersectDenies(String[] filter, Walk walk) {
        intersect(root, filter, 0, walk);
    }

    private static void match(Node node, String[] topic, int depth, Walk walk) {
        // '+' and '#' as first level never match a topic starting with '$'
        boolean dollarRoot = depth == 0 && isDollar(topic[0]);
        if (!dollarRoot) {
            walk.collect(node.multi);
        }
        if (depth == topic.length) {
            walk.collect(node.exact);
            return;
        }
        String level = topic[depth];
        Node literal = node.literals.get(level);
        if (literal != null) {
            match(literal, topic, depth + 1, walk);
        }
        if (node.plus != null && !dollarRoot) {
            match(node.plus, topic, depth + 1, walk);
        }
        if (node.user != null && walk.userIs(level, depth)) {
            match(node.user, topic, depth + 1, walk);
        }
        if (node.client != null && walk.clientIs(level, depth)) {
            match(node.client, topic, depth + 1, walk);
        }
    }

    private static void cover(Node node, String[] filter, int depth, Walk walk) {
        boolean dollarRoot = depth == 0 && isDollar(filter[0]);
        if (!dollarRoot) {
            walk.collectSubscribe(node.multi);
        }
        if (depth == filter.length) {
            walk.collectSubscribe(node.exact);
            return;
        }
        String level = filter[depth];
        if (level.equals("#")) {
            // only a '#' at this level or above covers it; at the root '+/#' is the same as '#'
            if (depth == 0 && node.plus != null) {
                walk.collectSubscribe(node.plus.multi);
            }
            return;
        }
        if (node.plus != null && !dollarRoot) {
            cover(node.plus, filter, depth + 1, walk);
        }
        if (level.equals("+")) {
            return; // a literal, %u or %c level covers one value, not all of them
        }
        Node literal = node.literals.get(level);
        if (literal != null) {
            cover(literal, filter, depth + 1, walk);
        }
        if (node.user != null && walk.userIs(level, depth)) {
            cover(node.user, filter, depth + 1, walk);
        }
        if (node.client != null && walk.clientIs(level, depth)) {
            cover(node.client, filter, depth + 1, walk);
        }
    }

    private static void intersect(Node node, String[] filter, int depth, Walk walk) {
        if (!node.hasDeny) {
            return;
        }
        boolean dollarRoot = depth == 0 && isDollar(filter[0]);
        if (!dollarRoot) {
            walk.collectDeny(node.multi);
        }
        if (depth == filter.length) {
            walk.collectDeny(node.exact);
            return;
        }
        String level = filter[depth];
        if (level.equals("#")) {
            if (depth > 0) {
                walk.collectDeny(node.exact); // 'a/#' matches 'a'
            }
            denyBelow(node, depth, walk);
            return;
        }
        if (level.equals("+")) {
            for (int i = 0; i < node.denyKeys.length; i++) {
                if (depth > 0 || !isDollar(node.denyKeys[i])) {
                    intersect(node.denyChildren[i], filter, depth + 1, walk);
                }
            }
            if (node.plus != null) {
                intersect(node.plus, filter, depth + 1, walk);
            }
            if (node.user != null && walk.userFits(depth)) {
                intersect(node.user, filter, depth + 1, walk);
            }
            if (node.client != null && walk.clientFits(depth)) {
                intersect(node.client, filter, depth + 1, walk);
            }
            return;
        }
        Node literal = node.literals.get(level);
        if (literal != null) {
            intersect(literal, filter, depth + 1, walk);
        }
        if (node.plus != null && !dollarRoot) {
            intersect(node.plus, filter, depth + 1, walk);
        }
        if (node.user != null && walk.userIs(level, depth)) {
            intersect(node.user, filter, depth + 1, walk);
        }
        if (node.client != null && walk.clientIs(level, depth)) {
            intersect(node.client, filter, depth + 1, walk);
        }
    }

    /** Collects every deny below {@code node} (at {@code depth}) that some topic can match. */
    private static void denyBelow(Node node, int depth, Walk walk) {
        for (int i = 0; i < node.denyKeys.length; i++) {
            if (depth > 0 || !isDollar(node.denyKeys[i])) {
                denySubtree(node.denyChildren[i], depth + 1, walk);
            }
        }
        if (node.plus != null) {
            denySubtree(node.plus, depth + 1, walk);
        }
        if (node.user != null && walk.userFits(depth)) {
            denySubtree(node.user, depth + 1, walk);
        }
        if (node.client != null && walk.clientFits(depth)) {
            denySubtree(node.client, depth + 1, walk);
        }
    }

    private static void denySubtree(Node node, int depth, Walk walk) {
        if (node.hasDeny) {
            walk.collectDeny(node.exact);
            walk.collectDeny(node.multi);
            denyBelow(node, depth, walk);
        }
    }

    static boolean isDollar(String level) {
        return !level.isEmpty() && level.charAt(0) == '$';
    }

    /** Collects rules into a trie; not thread-safe, used once. */
    static final class Builder {

        private final Draft root = new Draft();
        private int size;
        private IndexedRule denyWithUsername;
        private IndexedRule denyWithUsernameAtRoot;
        private IndexedRule denyWithClientId;
        private IndexedRule denyWithClientIdAtRoot;

        /** Adds a rule whose filter has passed {@link TopicNames#validateRuleFilter}. */
        Builder add(AclRule rule) {
            String[] levels = TopicNames.levels(rule.topicFilter());
            boolean deny = rule.permission() == Permission.DENY;
            boolean hasUsername = deny && contains(levels, "%u");
            boolean hasClientId = deny && contains(levels, "%c");
            IndexedRule indexed = new IndexedRule(rule, hasUsername, hasClientId);
            if (hasUsername) {
                denyWithUsername = Walk.lower(denyWithUsername, indexed);
                if (levels[0].equals("%u")) {
                    denyWithUsernameAtRoot = Walk.lower(denyWithUsernameAtRoot, indexed);
                }
            }
            if (hasClientId) {
                denyWithClientId = Walk.lower(denyWithClientId, indexed);
                if (levels[0].equals("%c")) {
                    denyWithClientIdAtRoot = Walk.lower(denyWithClientIdAtRoot, indexed);
                }
            }
            int last = levels.length - 1;
            boolean multi = levels[last].equals("#");
            Draft node = root;
            for (int i = 0; i < (multi ? last : levels.length); i++) {
                node = node.child(levels[i]);
            }
            if (multi) {
                node.multi = Slot.with(node.multi, indexed);
            } else {
                node.exact = Slot.with(node.exact, indexed);
            }
            size++;
            return this;
        }

        FilterTrie build() {
            return new FilterTrie(root.freeze(), size, denyWithUsername, denyWithUsernameAtRoot, denyWithClientId,
                    denyWithClientIdAtRoot);
        }

        private static boolean contains(String[] levels, String level) {
            for (String l : levels) {
                if (l.equals(level)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A node under construction. */
    private static final class Draft {

        private final Map<String, Draft> literals = new HashMap<>();
        private Draft plus;
        private Draft user;
        private Draft client;
        private Slot exact;
        private Slot multi;

        Draft child(String level) {
            switch (level) {
                case "+":
                    return plus == null ? (plus = new Draft()) : plus;
                case "%u":
                    return user == null ? (user = new Draft()) : user;
                case "%c":
                    return client == null ? (client = new Draft()) : client;
                default:
                    return literals.computeIfAbsent(level, l -> new Draft());
            }
        }

        Node freeze() {
            Map<String, Node> frozen = new HashMap<>(literals.size() * 2);
            List<String> denyKeys = new ArrayList<>();
            List<Node> denyChildren = new ArrayList<>();
            boolean hasDeny = (exact != null && exact.deny != null) || (multi != null && multi.deny != null);
            for (Map.Entry<String, Draft> e : literals.entrySet()) {
                Node child = e.getValue().freeze();
                frozen.put(e.getKey(), child);
                if (child.hasDeny) {
                    denyKeys.add(e.getKey());
                    denyChildren.add(child);
                    hasDeny = true;
                }
            }
            Node plusNode = plus == null ? null : plus.freeze();
            Node userNode = user == null ? null : user.freeze();
            Node clientNode = client == null ? null : client.freeze();
            hasDeny |= hasDeny(plusNode) || hasDeny(userNode) || hasDeny(clientNode);
            return new Node(frozen.isEmpty() ? Map.of() : Map.copyOf(frozen), plusNode, userNode, clientNode, exact,
                    multi, hasDeny, denyKeys.toArray(String[]::new), denyChildren.toArray(Node[]::new));
        }

        private static boolean hasDeny(Node node) {
            return node != null && node.hasDeny;
        }
    }

    /** A frozen node. */
    private static final class Node {

        final Map<String, Node> literals;
        final Node plus;
        final Node user;
        final Node client;
        final Slot exact;
        final Slot multi;
        /** Whether a deny rule ends at this node or below it. */
        final boolean hasDeny;
        /** The literal children with a deny at or below them, for wildcard requests. */
        final String[] denyKeys;
        final Node[] denyChildren;

        Node(Map<String, Node> literals, Node plus, Node user, Node client, Slot exact, Slot multi, boolean hasDeny,
                String[] denyKeys, Node[] denyChildren) {
            this.literals = literals;
            this.plus = plus;
            this.user = user;
            this.client = client;
            this.exact = exact;
            this.multi = multi;
            this.hasDeny = hasDeny;
            this.denyKeys = denyKeys;
            this.denyChildren = denyChildren;
        }
    }

    /**
     * The rules ending at one place of the trie, reduced to the lowest-id rule per effect:
     * {@code deny}, and grants of {@code read}, {@code write} and {@code subscribe}.
     */
    static final class Slot {

        final IndexedRule deny;
        final IndexedRule read;
        final IndexedRule write;
        final IndexedRule subscribe;

        private Slot(IndexedRule deny, IndexedRule read, IndexedRule write, IndexedRule subscribe) {
            this.deny = deny;
            this.read = read;
            this.write = write;
            this.subscribe = subscribe;
        }

        static Slot with(Slot slot, IndexedRule rule) {
            IndexedRule deny = slot == null ? null : slot.deny;
            IndexedRule read = slot == null ? null : slot.read;
            IndexedRule write = slot == null ? null : slot.write;
            IndexedRule subscribe = slot == null ? null : slot.subscribe;
            switch (rule.rule.permission()) {
                case DENY:
                    deny = Walk.lower(deny, rule);
                    break;
                case READ:
                    // reading needs subscribing: a read grant lets the client subscribe too
                    read = Walk.lower(read, rule);
                    subscribe = Walk.lower(subscribe, rule);
                    break;
                case WRITE:
                    write = Walk.lower(write, rule);
                    break;
                case READWRITE:
                    read = Walk.lower(read, rule);
                    write = Walk.lower(write, rule);
                    subscribe = Walk.lower(subscribe, rule);
                    break;
                case SUBSCRIBE:
                    subscribe = Walk.lower(subscribe, rule);
                    break;
                default:
                    throw new IllegalStateException("Unknown permission " + rule.rule.permission());
            }
            return new Slot(deny, read, write, subscribe);
        }
    }

    /**
     * A rule as indexed, with the decisions it can make worked out once, so that deciding builds no
     * text.
     */
    static final class IndexedRule {

        final AclRule rule;
        final long id;
        /** For a deny rule the denial ({@value AclIndex#DENY}) it decides, for any other the grant. */
        final Decision decision;
        /**
         * For a deny rule with a {@code %u} level, the denial when the username cannot stand for it;
         * otherwise {@code null}.
         */
        final Decision unsafeUsername;
        /** As {@link #unsafeUsername}, for a {@code %c} level and the client id. */
        final Decision unsafeClientId;

        IndexedRule(AclRule rule, boolean failsClosedOnUsername, boolean failsClosedOnClientId) {
            String description = rule.describe();
            this.rule = rule;
            this.id = rule.id();
            this.decision = rule.permission() == Permission.DENY ? Decision.deny(AclIndex.DENY, description)
                    : Decision.allow(AclIndex.ALLOW, description);
            this.unsafeUsername = failsClosedOnUsername
                    ? Decision.deny(AclIndex.DENY, description + " (unsafe username for substitution)")
                    : null;
            this.unsafeClientId = failsClosedOnClientId
                    ? Decision.deny(AclIndex.DENY, description + " (unsafe client id for substitution)")
                    : null;
        }
    }

    /**
     * One request's walk: who asks (for {@code %u} and {@code %c}) and the lowest-id rule found so
     * far for each effect.
     */
    static final class Walk {

        private final String username;
        private final String clientId;
        /** Whether the username can stand for a {@code %u} level below the first. */
        private final boolean usernameFits;
        /** Whether the username can stand for a {@code %u} first level too (it does not start with '$'). */
        private final boolean usernameFitsAtRoot;
        private final boolean clientIdFits;
        private final boolean clientIdFitsAtRoot;
        IndexedRule deny;
        IndexedRule read;
        IndexedRule write;
        IndexedRule subscribe;
        /** The lowest-id deny rule failing closed on a substitution, or {@code null}. */
        private IndexedRule unsafe;
        private Decision unsafeDecision;

        Walk(String username, String clientId) {
            this.username = username;
            this.clientId = clientId;
            this.usernameFits = isLevelValue(username);
            this.usernameFitsAtRoot = usernameFits && !isDollar(username);
            this.clientIdFits = isLevelValue(clientId);
            this.clientIdFitsAtRoot = clientIdFits && !isDollar(clientId);
        }

        /**
         * @return whether {@code value} can stand for a {@code %u} or {@code %c} level: one whole,
         *     non-empty level without wildcards or NUL (and, for a first level, not starting with
         *     {@code $}); for anything else such a level matches nothing, and a deny rule holding it
         *     fails closed
         */
        static boolean isLevelValue(String value) {
            if (value == null || value.isEmpty()) {
                return false;
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '/' || c == '+' || c == '#' || c == 0) {
                    return false;
                }
            }
            return true;
        }

        /** Whether a {@code %u} level can match some level at {@code depth}. */
        boolean userFits(int depth) {
            return depth > 0 ? usernameFits : usernameFitsAtRoot;
        }

        boolean clientFits(int depth) {
            return depth > 0 ? clientIdFits : clientIdFitsAtRoot;
        }

        /**
         * Notes the lowest-id deny rule of {@code trie} with a {@code %u} or {@code %c} level the
         * username or client id cannot stand for: such a rule denies whatever the topic. Costs two
         * tests when both values can stand everywhere.
         */
        void failClosed(FilterTrie trie) {
            if (!usernameFitsAtRoot) {
                IndexedRule rule = usernameFits ? trie.denyWithUsernameAtRoot : trie.denyWithUsername;
                if (rule != null && (unsafe == null || rule.id < unsafe.id)) {
                    unsafe = rule;
                    unsafeDecision = rule.unsafeUsername;
                }
            }
            if (!clientIdFitsAtRoot) {
                IndexedRule rule = clientIdFits ? trie.denyWithClientIdAtRoot : trie.denyWithClientId;
                if (rule != null && (unsafe == null || rule.id < unsafe.id)) {
                    unsafe = rule;
                    unsafeDecision = rule.unsafeClientId;
                }
            }
        }

        /**
         * @return the denial by the lowest-id deny rule found, matching or failing closed;
         *     {@code null} when no deny rule applies
         */
        Decision denial() {
            if (unsafe != null && (deny == null || unsafe.id < deny.id)) {
                return unsafeDecision;
            }
            return deny == null ? null : deny.decision;
        }

        /** Whether a {@code %u} level matches {@code level} at {@code depth}. */
        boolean userIs(String level, int depth) {
            return userFits(depth) && level.equals(username);
        }

        boolean clientIs(String level, int depth) {
            return clientFits(depth) && level.equals(clientId);
        }

        void collect(Slot slot) {
            if (slot != null) {
                deny = lower(deny, slot.deny);
                read = lower(read, slot.read);
                write = lower(write, slot.write);
            }
        }

        void collectSubscribe(Slot slot) {
            if (slot != null) {
                subscribe = lower(subscribe, slot.subscribe);
            }
        }

        void collectDeny(Slot slot) {
            if (slot != null) {
                deny = lower(deny, slot.deny);
            }
        }

        /** @return the rule with the lower id, the first one on a tie; {@code null} only if both are */
        static IndexedRule lower(IndexedRule kept, IndexedRule candidate) {
            if (candidate == null) {
                return kept;
            }
            return kept == null || candidate.id < kept.id ? candidate : kept;
        }
    }
}
