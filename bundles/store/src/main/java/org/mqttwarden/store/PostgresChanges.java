package org.mqttwarden.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears, on one daemon thread and its own connection outside the pool, of every change another gateway of the
 * fleet commits to the account tables of a shared PostgreSQL database, and calls {@code onChange} so that the
 * caches above the store start over within a second:
 * <ul>
 * <li>{@code LISTEN} on {@link AccountTables#CHANNEL}: the triggers of {@link AccountTables#POSTGRES_CHANGES}
 * announce each committing transaction; the thread waits for one at most {@code poll} at a time;</li>
 * <li>the change counter read every {@code poll} as well, should a notification be missed: it also finds a
 * connection that died without a word (its read times out);</li>
 * <li>the connection lost: {@code onChange} at once (fail safe: nothing cached survives a gap in which changes
 * may be missed), a WARN once, new attempts with back-off ({@code poll} doubling up to {@code maxBackoff}), and
 * {@code onChange} again once listening again. While the database is down no attempt drops the caches, so
 * cached decisions keep being answered.</li>
 * </ul>
 * The gateway's own writes moved its revision already: {@link #ownWrite} names them (transaction id and the
 * counter they left), and neither their notification nor their counter calls {@code onChange} again.
 * Bounded: notifications are drained into one call per wake-up, at most {@link #OWN_REMEMBERED} own
 * transactions are remembered (forgetting one costs one more cache drop, never a missed change), and the thread
 * ends within about {@code poll} of {@link #close()} or of the database being closed.
 */
final class PostgresChanges implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresChanges.class);

    static final int OWN_REMEMBERED = 256;

    private final PostgresDatabase database;
    private final Runnable onChange;
    private final int pollMs;
    private final long maxBackoffMs;
    private final Thread thread;
    private final Object wake = new Object();
    private volatile boolean closed;

    // guarded by this
    private final Deque<String> ownTransactions = new ArrayDeque<>();
    private long ownCounter = -1;

    // the thread's own
    private Connection connection;
    private long counter = -1;
    private long lastPoll;
    private boolean failing;
    private volatile boolean listening;
    private volatile long reconnects;

    /**
     * Starts listening at once when it can (so no change committed after the store started is missed), else
     * leaves the thread to connect, which then calls {@code onChange}. Never throws for a database that is down.
     */
    PostgresChanges(PostgresDatabase database, Duration poll, Duration maxBackoff, Runnable onChange) {
        this.database = database;
        this.onChange = onChange;
        this.pollMs = (int) Math.max(1, poll.toMillis());
        this.maxBackoffMs = Math.max(pollMs, maxBackoff.toMillis());
        try {
            connect();
            listening = true;
        } catch (SQLException e) {
            disconnect();
            LOG.warn("Cannot listen for the fleet's changes on {} yet ({}); retrying", database.describe(),
                    e.getMessage());
            failing = true;
        }
        this.thread = new Thread(this::run, "warden-store-changes");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return true while the listening connection is up */
    boolean listening() {
        return listening;
    }

    /** @return true once the thread has ended (after {@link #close()} or the database closed) */
    boolean stopped() {
        return !thread.isAlive();
    }

    /** @return how many times the listening connection was opened again after a loss */
    long reconnects() {
        return reconnects;
    }

    /**
     * Names a write of this gateway that changed the account tables, read before its commit: its notification
     * and the counter value it left are not an outside change.
     */
    synchronized void ownWrite(long counterAfter, String transaction) {
        if (counterAfter > ownCounter) {
            ownCounter = counterAfter;
        }
        if (ownTransactions.size() == OWN_REMEMBERED) {
            ownTransactions.removeFirst();
        }
        ownTransactions.addLast(transaction);
    }

    private synchronized boolean own(String transaction) {
        return ownTransactions.remove(transaction);
    }

    private synchronized boolean ownCounter(long n) {
        return n == ownCounter;
    }

    /** Stops the thread (within about one poll) and closes its connection; idempotent. */
    @Override
    public void close() {
        closed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(pollMs + 5_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long backoff = pollMs;
        try {
            while (!closed && !database.isClosed()) {
                if (connection == null) {
                    try {
                        connect();
                        reconnects++;
                        backoff = pollMs;
                        LOG.info("Listening for the fleet's changes on {} again", database.describe());
                        failing = false;
                        // changes committed while nobody listened were not heard: start over
                        onChange.run();
                        listening = true;
                    } catch (SQLException e) {
                        disconnect();
                        if (!failing) {
                            LOG.warn("Cannot listen for the fleet's changes on {} ({}); retrying",
                                    database.describe(), e.getMessage());
                            failing = true;
                        }
                        pause(backoff);
                        backoff = Math.min(maxBackoffMs, backoff * 2);
                        continue;
                    }
                }
                try {
                    listenOnce();
                } catch (SQLException | RuntimeException e) {
                    if (closed || database.isClosed()) {
                        break;
                    }
                    disconnect();
                    // the caches are kept while the database is unreachable (issue 16: cached decisions keep being
                    // answered, uncached ones get 503); the reconnection drops them, since changes made meanwhile
                    // by other gateways were not heard
                    LOG.warn("Lost the connection listening for the fleet's changes on {} ({}); cached decisions"
                            + " stand until it is back, reconnecting", database.describe(), e.getMessage());
                    failing = true;
                }
            }
        } finally {
            disconnect();
        }
    }

    /** Waits up to one poll for notifications, then reads the counter if a poll is due. */
    private void listenOnce() throws SQLException {
        PGNotification[] heard = connection.unwrap(PGConnection.class).getNotifications(pollMs);
        boolean outside = false;
        boolean any = false;
        if (heard != null) {
            for (PGNotification n : heard) {
                any = true;
                if (!own(n.getParameter())) {
                    outside = true;
                }
            }
        }
        long now = System.nanoTime();
        if (any || now - lastPoll >= pollMs * 1_000_000L) {
            long n = counter();
            lastPoll = now;
            // after notifications the counter is taken as it stands: a change it holds whose notification is
            // still on its way is heard next time
            if (n != counter && !any && !ownCounter(n)) {
                LOG.debug("The account tables' counter moved to {} without a notification heard", n);
                outside = true;
            }
            counter = n;
        }
        if (outside) {
            onChange.run();
        }
    }

    /** Opens the connection, listens, then takes the counter as the baseline (nothing falls between). */
    private void connect() throws SQLException {
        connection = database.openUnpooledConnection();
        connection.setAutoCommit(true);
        try (Statement s = connection.createStatement()) {
            s.execute("LISTEN " + AccountTables.CHANNEL);
        }
        counter = counter();
        lastPoll = System.nanoTime();
    }

    private long counter() throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(AccountTables.SELECT_CHANGE_COUNTER)) {
            if (!rs.next()) {
                throw new SQLException("No row in warden_account_change");
            }
            return rs.getLong(1);
        }
    }

    private void disconnect() {
        listening = false;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("Closing the listening connection failed", e);
            }
            connection = null;
        }
    }

    private void pause(long ms) {
        long end = System.nanoTime() + ms * 1_000_000L;
        synchronized (wake) {
            long left;
            while (!closed && (left = end - System.nanoTime()) > 0) {
                try {
                    wake.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed = true;
                }
            }
        }
    }
}
