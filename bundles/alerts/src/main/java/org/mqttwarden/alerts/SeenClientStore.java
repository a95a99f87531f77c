package org.mqttwarden.alerts;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jdbi.v3.core.Jdbi;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.api.store.WardenDatabase.Migration;

/**
 * {@link SeenClients} in the Warden database: table {@code warden_seen_client}, migrations owned by
 * {@value #OWNER} (so the alerts bring and remove their schema with warden-alerts, apart from the lockout
 * table; the owner keeps its old name, so an existing database is not migrated again). At most
 * {@code perAccount} rows per (account, kind), the least recently seen deleted first. SQL that runs on SQLite
 * and PostgreSQL. A small in-memory cache of known pairs spares the database the logins of
 * devices that reconnect often; their {@code last_seen} is refreshed when they drop out of it.
 */
final class SeenClientStore implements SeenClients {

    static final String OWNER = "lockout-alerts";
    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "client ids and addresses seen per account",
            List.of("CREATE TABLE warden_seen_client (username VARCHAR(512) NOT NULL, kind VARCHAR(16) NOT NULL,"
                    + " seen VARCHAR(512) NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,"
                    + " PRIMARY KEY (username, kind, seen))")));

    private static final String SELECT = "SELECT seen FROM warden_seen_client WHERE username = :u AND kind = :k"
            + " ORDER BY last_seen DESC, seen";
    private static final String INSERT = "INSERT INTO warden_seen_client (username, kind, seen, first_seen,"
            + " last_seen) VALUES (:u, :k, :s, :t, :t)";
    private static final String TOUCH = "UPDATE warden_seen_client SET last_seen = :t WHERE username = :u"
            + " AND kind = :k AND seen = :s";
    private static final String DELETE_ONE = "DELETE FROM warden_seen_client WHERE username = :u AND kind = :k"
            + " AND seen = :s";
    private static final String DELETE_ALL = "DELETE FROM warden_seen_client WHERE username = :u";
    private static final int CACHE = 4096;

    private final Jdbi jdbi;
    private final Cache<String, Boolean> cache = Caffeine.newBuilder().maximumSize(CACHE).build();

    SeenClientStore(WardenDatabase database) {
        database.migrate(OWNER, MIGRATIONS);
        this.jdbi = Jdbi.create(database.dataSource());
    }

    @Override
    public synchronized Novelty touch(String username, String kind, String value, long now, int perAccount) {
        String v = value.length() > 512 ? value.substring(0, 512) : value;
        String key = username + '\n' + kind + '\n' + v;
        if (cache.getIfPresent(key) != null) {
            return Novelty.KNOWN;
        }
        Novelty n = jdbi.inTransaction(h -> {
            List<String> known = h.createQuery(SELECT).bind("u", username).bind("k", kind).mapTo(String.class)
                    .list();
            if (known.contains(v)) {
                h.createUpdate(TOUCH).bind("u", username).bind("k", kind).bind("s", v).bind("t", now).execute();
                return Novelty.KNOWN;
            }
            h.createUpdate(INSERT).bind("u", username).bind("k", kind).bind("s", v).bind("t", now).execute();
            Set<String> dropped = new HashSet<>();
            for (int i = perAccount - 1; i < known.size(); i++) {
                h.createUpdate(DELETE_ONE).bind("u", username).bind("k", kind).bind("s", known.get(i)).execute();
                dropped.add(username + '\n' + kind + '\n' + known.get(i));
            }
            cache.invalidateAll(dropped);
            return known.isEmpty() ? Novelty.FIRST : Novelty.NEW;
        });
        cache.put(key, Boolean.TRUE);
        return n;
    }

    @Override
    public synchronized void forget(String username) {
        cache.asMap().keySet().removeIf(k -> k.startsWith(username + '\n'));
        jdbi.useHandle(h -> h.createUpdate(DELETE_ALL).bind("u", username).execute());
    }

}
