package org.mqttwarden.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

/**
 * What {@code warden:store-status} shows: which database the gateway uses, where (without user or password),
 * the schema version of each owning bundle, the pool's use and the last failure to connect. Holds no secret.
 *
 * @param backend {@code sqlite} or {@code postgresql}
 * @param location the database as {@link org.mqttwarden.api.store.WardenDatabase#describe()} gives it
 * @param schema the highest version applied per owner, by owner; empty when it could not be read
 * @param schemaError why the schema could not be read, or null
 * @param pool the pool's connections now
 * @param lastError the last failure to open a connection (no secret in it), or null when none since start
 * @param lastErrorAt when it happened, or null
 */
public record StoreStatus(String backend, String location, Map<String, Integer> schema, String schemaError,
        Pool pool, String lastError, Instant lastErrorAt) {

    public StoreStatus {
        schema = Map.copyOf(schema);
    }

    /**
     * The pool's connections, from HikariCP's pool MXBean.
     *
     * @param active lent out now
     * @param idle open and waiting in the pool
     * @param waiting threads waiting for a connection
     * @param max the most the pool opens
     */
    public record Pool(int active, int idle, int waiting, int max) {

        /** @return the pool's use now; all zero when it is not started or closed */
        static Pool of(HikariDataSource pool) {
            HikariPoolMXBean bean = pool.isClosed() ? null : pool.getHikariPoolMXBean();
            if (bean == null) {
                return new Pool(0, 0, 0, pool.getMaximumPoolSize());
            }
            return new Pool(bean.getActiveConnections(), bean.getIdleConnections(),
                    bean.getThreadsAwaitingConnection(), pool.getMaximumPoolSize());
        }
    }

    /** @return the status as the shell prints it, one line per item */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("Backend:     " + backend);
        out.add("Database:    " + location);
        if (schemaError != null) {
            out.add("Schema:      unknown (" + schemaError + ")");
        } else {
            new TreeMap<>(schema).forEach((owner, version) -> out.add("Schema:      " + owner + " v" + version));
        }
        out.add("Pool:        " + pool.active() + " active, " + pool.idle() + " idle, " + pool.waiting()
                + " waiting, at most " + pool.max());
        out.add("Last error:  " + (lastError == null ? "none since start" : lastErrorAt + " " + lastError));
        return out;
    }
}
