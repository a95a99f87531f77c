package org.mqttwarden.audit;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.mqttwarden.api.audit.AuditFilter;
import org.mqttwarden.api.audit.AuditQuery;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.api.event.EventSink;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.metrics.MetricSource;
import org.mqttwarden.api.store.DatabaseFiles;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The audit log: an {@link EventSink} recording every security event into its own SQLite file
 * ({@code ${karaf.data}/warden/audit.db}), asynchronously through an {@link AuditWriter}, and the
 * {@link AuditQuery} reading it back. Security-relevant events are committed before their stage
 * completes; the rows form a hash chain that {@link #verify()} checks.
 *
 * <p>Routine allows are summarised by an {@link AllowSummariser} ({@code allow.mode=summarise}, the
 * default): the first ACL allow (or non-relevant SUPERUSER answer) of a key in a window is a row, its
 * repeats become one {@value AllowSummariser#SUMMARY_REASON} row with their count. Refusals and denials
 * are summarised likewise per (type, reason, user, client, topic) and capped per (type, reason) and
 * window ({@code refusal.*}; see {@link AllowSummariser}). {@code allow.mode=all} and
 * {@code refusal.mode=all} record every event. An {@link AuditRetention} deletes old rows by age, and by
 * size routine rows first, then refusals, then the oldest of all, keeping the chain verifiable
 * ({@link AuditChain}). The chain is keyed (HMAC-SHA256 under an {@link AuditKey} kept outside the
 * database) and its head logged as an anchor. A change of configuration restarts the component (counts
 * and queue are drained first).
 */
@Component(service = {EventSink.class, AuditQuery.class, MetricSource.class},
        configurationPid = "org.mqttwarden.audit")
@Designate(ocd = AuditLog.Config.class)
public final class AuditLog implements EventSink, AuditQuery, MetricSource {

    @ObjectClassDefinition(name = "MQTT Warden audit log", description = "Where and how security events are"
            + " recorded.")
    public @interface Config {
        @AttributeDefinition(description = "Path of the SQLite file. Empty: ${karaf.data}/warden/audit.db.")
        String path() default "";

        @AttributeDefinition(description = "Events waiting to be written, at most. When full, allows are dropped"
                + " and counted; security-relevant events wait.", min = "16", max = "1000000")
        int queue_size() default 8192;

        @AttributeDefinition(description = "Events written in one transaction, at most.", min = "1", max = "10000")
        int batch_max() default 512;

        @AttributeDefinition(description = "How long a security-relevant event waits for room in a full queue"
                + " before it is refused, in ms.", min = "0", max = "10000")
        int offer_timeout_ms() default 200;

        @AttributeDefinition(description = "How long the writer waits for a lock held by another process, in ms.",
                min = "100", max = "60000")
        int busy_timeout_ms() default 5000;

        @AttributeDefinition(description = "How long stopping waits for queued events to be written, in ms.",
                min = "0", max = "120000")
        int shutdown_timeout_ms() default 10000;

        @AttributeDefinition(description = "summarise: an ACL allow is a row the first time its user, client,"
                + " topic and access are seen in a window, repeats are counted into a summary row; all: every"
                + " allow is a row.", options = {
                    @Option(label = "Summarise repeated allows", value = "summarise"),
                    @Option(label = "Record every allow", value = "all")})
        String allow_mode() default "summarise";

        @AttributeDefinition(description = "How long repeated allows of one key are counted before their summary"
                + " row is written, in seconds.", min = "1", max = "86400")
        int allow_window_seconds() default 300;

        @AttributeDefinition(description = "Keys counted at once, at most; when full, every count is written as"
                + " a summary first.", min = "1", max = "10000000")
        int allow_max_keys() default 100_000;

        @AttributeDefinition(description = "Rows older than this many days are deleted. 0: no age limit (the size"
                + " limit still applies).", min = "0", max = "36500")
        int retention_days() default 90;

        @AttributeDefinition(description = "The most the rows may take in the file, in MiB; beyond it the oldest"
                + " rows are deleted down to 80 % of it. The file stops growing at about this size.", min = "1",
                max = "1048576")
        int retention_max_mb() default 256;

        @AttributeDefinition(description = "How often retention is applied, in minutes.", min = "1", max = "1440")
        int retention_interval_minutes() default 10;

        @AttributeDefinition(description = "summarise: a refusal or denial is a row the first time its type,"
                + " reason, user, client and topic are seen in a window, repeats are counted into a summary row,"
                + " and past refusal.rows.per.window rows of one type and reason, new keys are only counted into"
                + " an aggregate row; all: every refusal is a row.", options = {
                    @Option(label = "Summarise repeated refusals", value = "summarise"),
                    @Option(label = "Record every refusal", value = "all")})
        String refusal_mode() default "summarise";

        @AttributeDefinition(description = "The window of refusal summaries and aggregates, in seconds.", min = "1",
                max = "86400")
        int refusal_window_seconds() default 60;

        @AttributeDefinition(description = "Individual refusal rows per type and reason and window, at most; the"
                + " rest are counted into one aggregate row with samples.", min = "1", max = "1000000")
        int refusal_rows_per_window() default 1000;

        @AttributeDefinition(description = "Path of the chain's key file (created, mode 0600, on first start)."
                + " Empty: ${karaf.etc}/warden-audit.key.")
        String key_path() default "";

        @AttributeDefinition(description = "How often the chain's head is logged as an anchor (INFO), in minutes;"
                + " also on stopping.", min = "1", max = "1440")
        int anchor_interval_minutes() default 10;
    }

    /** Rows returned by a search without a limit, and the cap of any limit and of {@link #tail}. */
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 100_000;

    private final AuditFile file;
    private final AuditKey key;
    private final AuditWriter writer;
    private final AllowSummariser allows;
    private final AuditRetention retention;

    /**
     * Opens (creating if needed) the audit file through {@code files}, loads (or creates) the chain's key and
     * starts the writer, the summaries and the retention.
     *
     * @throws IllegalArgumentException when a setting is out of range; nothing is left open
     * @throws IllegalStateException when the file or the key cannot be opened; nothing is left open
     */
    @Activate
    public AuditLog(Config config, @Reference DatabaseFiles files) {
        this(config, files, Clock.systemUTC());
    }

    /** As above, with {@code clock} timing the summary windows and the age of rows. */
    AuditLog(Config config, DatabaseFiles files, Clock clock) {
        AuditWriter.Settings settings = new AuditWriter.Settings(config.queue_size(), config.batch_max(),
                config.offer_timeout_ms(), config.shutdown_timeout_ms(),
                Duration.ofMinutes(config.anchor_interval_minutes()).toMillis());
        AllowSummariser.Settings allowSettings = new AllowSummariser.Settings(
                AllowSummariser.Mode.parse(config.allow_mode()), config.allow_window_seconds() * 1000L,
                config.allow_max_keys(), AllowSummariser.Mode.parse(config.refusal_mode()),
                config.refusal_window_seconds() * 1000L, config.refusal_rows_per_window());
        AuditRetention.Settings retentionSettings = new AuditRetention.Settings(config.retention_days() == 0 ? null
                : Duration.ofDays(config.retention_days()), config.retention_max_mb() * 1024L * 1024L,
                Duration.ofMinutes(config.retention_interval_minutes()));
        this.file = new AuditFile(files, AuditFile.configured(config.path()), config.busy_timeout_ms());
        try {
            this.key = AuditKey.loadOrCreate(AuditKey.resolve(config.key_path(), file.path()));
            this.writer = new AuditWriter(file, settings, key);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
        this.allows = new AllowSummariser(writer, allowSettings, clock);
        this.retention = new AuditRetention(file, this::accept, retentionSettings, clock);
    }

    /** Stops retention, writes the pending allow counts and what is queued, then closes the file. */
    @Deactivate
    public void close() {
        try {
            retention.close();
            allows.close();
        } finally {
            try {
                writer.close();
            } finally {
                file.close();
            }
        }
    }

    /**
     * @return a stage completing once the event is committed to disk, or exceptionally when it will
     *     not be recorded (queue full, log closed, file unwritable); for a repeated allow that was only
     *     counted, a completed stage. Never blocks, except briefly for a security-relevant event
     *     meeting a full queue
     */
    @Override
    public CompletionStage<Void> accept(SecurityEvent event) {
        return allows.accept(event);
    }

    @Override
    public List<AuditRecord> search(AuditFilter filter) {
        return file.jdbi().withHandle(h -> searchQuery(h, filter).map((rs, ctx) -> AuditRow.read(rs).toRecord())
                .list());
    }

    /** @return the statement for {@code filter}, every criterion and the capped limit bound */
    static Query searchQuery(Handle h, AuditFilter filter) {
        StringBuilder sql = new StringBuilder(AuditTables.SEARCH_HEAD);
        if (filter.username() != null) {
            sql.append(AuditTables.AND_USERNAME);
        }
        if (filter.clientId() != null) {
            sql.append(AuditTables.AND_CLIENT);
        }
        if (filter.type() != null) {
            sql.append(AuditTables.AND_TYPE);
        }
        if (filter.outcome() != null) {
            sql.append(AuditTables.AND_OUTCOME);
        }
        if (filter.topicPrefix() != null) {
            sql.append(AuditTables.AND_TOPIC_PREFIX);
        }
        if (filter.from() != null) {
            sql.append(AuditTables.AND_FROM);
        }
        if (filter.to() != null) {
            sql.append(AuditTables.AND_TO);
        }
        sql.append(AuditTables.SEARCH_TAIL);
        int limit = filter.limit() == null ? DEFAULT_LIMIT : Math.min(filter.limit(), MAX_LIMIT);
        Query q = h.createQuery(sql.toString()).bind("limit", limit);
        if (filter.username() != null) {
            q.bind("username", filter.username());
        }
        if (filter.clientId() != null) {
            q.bind("clientId", filter.clientId());
        }
        if (filter.type() != null) {
            q.bind("type", filter.type().name());
        }
        if (filter.outcome() != null) {
            q.bind("outcome", filter.outcome().name());
        }
        if (filter.topicPrefix() != null) {
            String prefix = filter.topicPrefix();
            q.bind("topicPrefix", prefix).bind("prefixLength", prefix.codePointCount(0, prefix.length()));
        }
        if (filter.from() != null) {
            q.bind("from", filter.from().toEpochMilli());
        }
        if (filter.to() != null) {
            q.bind("to", filter.to().toEpochMilli());
        }
        return q;
    }

    @Override
    public List<AuditRecord> tail(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be 1 or more, was " + n);
        }
        return file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_TAIL).bind("n", Math.min(n, MAX_LIMIT))
                .map((rs, ctx) -> AuditRow.read(rs).toRecord()).list());
    }

    /**
     * Walks the rows committed so far, page by page, as {@link AuditChain} describes: every row kept is
     * checked against its predecessor's hash under the key (rows written before the file was keyed, under
     * SHA-256); a missing id must be covered by a tombstone the newest pruning record accounts for. Without
     * anchors, a cut-off tail is not detected; see {@link #verify(List)}.
     */
    @Override
    public VerifyResult verify() {
        return verify(List.of());
    }

    /**
     * As {@link #verify()}, and every anchor at or after the chain's start must name a row the file still
     * has, with that hash: a tail cut off, or the rows up to an anchor rewritten (even with the key), fails.
     */
    VerifyResult verify(List<AuditChain.Anchor> anchors) {
        return AuditChain.verify(file, key, anchors);
    }

    @Override
    public Optional<ChainHead> chainHead() {
        return file.jdbi().withHandle(h -> h.createQuery(AuditTables.SELECT_HEAD)
                .map((rs, ctx) -> new ChainHead(rs.getLong("id"), rs.getString("hash"))).findOne());
    }

    // ---- /metrics (counts start at zero with each activation)

    /** @return {@code audit}: on {@code /metrics} the numbers are {@code warden_audit_<name>[_total]} */
    @Override
    public String name() {
        return "audit";
    }

    /**
     * @return {@code events_written} (events committed, allow summaries included) and
     *     {@code events_lost} (events that could not be recorded)
     */
    @Override
    public Map<String, Long> counters() {
        return Map.of("events_written", writer.writtenTotal(), "events_lost", writer.lostTotal());
    }

    /** @return {@code queue_depth} (events waiting to be written) and {@code queue_capacity} */
    @Override
    public Map<String, Long> gauges() {
        return Map.of("queue_depth", (long) writer.queued(), "queue_capacity", (long) writer.capacity());
    }
}
