package org.mqttwarden.otp;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.mqttwarden.api.account.Account;
import org.mqttwarden.api.account.AccountService;
import org.mqttwarden.api.event.EventPublisher;
import org.mqttwarden.api.event.EventType;
import org.mqttwarden.api.event.Outcome;
import org.mqttwarden.api.event.Reasons;
import org.mqttwarden.api.event.SecurityEvent;
import org.mqttwarden.api.otp.OtpChannel;
import org.mqttwarden.api.otp.OtpMessage;
import org.mqttwarden.api.otp.OtpPending;
import org.mqttwarden.api.otp.OtpPurpose;
import org.mqttwarden.api.otp.OtpService;
import org.mqttwarden.api.store.KeyFiles;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.otp.OtpCodes.Check;
import org.mqttwarden.otp.OtpCodes.Issue;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link OtpService}: issues codes ({@link OtpCodes}), hands them to the first {@link OtpChannel} that reaches
 * the account's address, and carries out a confirmed code's purpose through {@link AccountService} (a new
 * password) or an {@link Reasons#OTP_UNLOCK} event (warden-lockout clears the lock).
 *
 * <p>A request is handled on a thread of its own, after {@link #request} has returned, so the caller answers
 * every request in the same time whether the account exists or not; what became of it is in the audit log
 * ({@link EventType#OTP} events) and {@link #pending}. No event, log line or answer ever holds a code.
 */
@Component(service = OtpService.class, configurationPid = OtpManager.PID)
@Designate(ocd = OtpConfig.class)
public final class OtpManager implements OtpService {

    /** The configuration PID. */
    public static final String PID = "org.mqttwarden.otp";
    /** The one answer to every code that is not accepted: it must not tell why. */
    static final String WRONG_CODE = "The code is wrong, expired or already used. Ask for a new one.";
    /** Requests waiting for the request thread, at most; beyond, they are refused (and audited). */
    static final int QUEUE = 256;
    private static final String ACTOR = "warden-otp";
    private static final int MAX_NAME = 512;

    private static final Logger LOG = LoggerFactory.getLogger(OtpManager.class);

    private final OtpCodes codes;
    private final AccountService accounts;
    private final EventPublisher events;
    private final Clock clock;
    private final List<OtpChannel> channels = new CopyOnWriteArrayList<>();
    /** What became of the delivery of each account's live code, by {@code username/purpose}. */
    private final Map<String, String> deliveries = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor requests;

    @Activate
    public OtpManager(@Reference WardenDatabase database, @Reference KeyFiles keys, @Reference AccountService accounts,
            @Reference EventPublisher events, OtpConfig config) {
        this(database, keys.key("otp-codes", 32), accounts, events, config, Clock.systemUTC());
    }

    OtpManager(WardenDatabase database, byte[] key, AccountService accounts, EventPublisher events, OtpConfig config,
            Clock clock) {
        this.accounts = accounts;
        this.events = events;
        this.clock = clock;
        CodePolicy policy = policyOf(config);
        List<String> problems = policy.problems();
        if (!problems.isEmpty()) {
            LOG.error("One-time code configuration refused, the defaults apply instead: {}",
                    String.join("; ", problems));
            policy = CodePolicy.DEFAULTS;
        }
        this.codes = new OtpCodes(database, new CodeHasher(key, new java.security.SecureRandom()), policy, clock);
        this.requests = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "warden-otp");
            t.setDaemon(true);
            return t;
        });
    }

    /** Applies new limits at once; refuses an invalid configuration, keeping the limits in force. */
    @Modified
    void modified(OtpConfig config) {
        try {
            codes.policy(policyOf(config));
            LOG.info("One-time code settings updated");
        } catch (IllegalArgumentException e) {
            LOG.error("One-time code configuration refused, the limits in force stay: {}", e.getMessage());
        }
    }

    /** Lets the queued requests finish, up to 5 s. */
    @Deactivate
    void close() {
        requests.shutdown();
        try {
            if (!requests.awaitTermination(5, TimeUnit.SECONDS)) {
                requests.shutdownNow();
            }
        } catch (InterruptedException e) {
            requests.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addChannel(OtpChannel channel) {
        channels.add(channel);
    }

    void removeChannel(OtpChannel channel) {
        channels.remove(channel);
    }

    private static CodePolicy policyOf(OtpConfig c) {
        return new CodePolicy(c.code_length(), Duration.ofMinutes(c.code_ttl_minutes()), c.code_max_attempts(),
                Duration.ofSeconds(c.code_cooldown_seconds()), c.code_max_per_hour());
    }

    // ---- OtpService

    @Override
    public void request(String username, OtpPurpose purpose, String source) {
        Objects.requireNonNull(purpose, "purpose");
        String user = username == null ? "" : username;
        try {
            requests.execute(() -> handle(user, purpose, source));
        } catch (RejectedExecutionException e) {
            publish(Outcome.DENY, Reasons.OTP_REFUSED, user, source, Map.of("purpose", purpose.id(), "why",
                    "too many requests waiting"));
        }
    }

    private void handle(String user, OtpPurpose purpose, String source) {
        try {
            Optional<Account> found = plausible(user) ? accounts.findAccount(user) : Optional.empty();
            String why = found.isEmpty() ? "no such account" : !found.get().enabled() ? "account disabled"
                    : found.get().email() == null || found.get().email().isBlank() ? "no e-mail address"
                    : purpose == OtpPurpose.VERIFY && accounts.hasPassword(user)
                            ? "the account has a password already (verify is for invitations; reset changes it)"
                            : null;
            OtpChannel channel = why == null ? channels.stream().filter(c -> reaches(c, found.get().email()))
                    .findFirst().orElse(null) : null;
            if (why == null && channel == null) {
                why = "no channel reaches the account's address";
            }
            if (why != null) {
                publish(Outcome.DENY, Reasons.OTP_REFUSED, user, source, Map.of("purpose", purpose.id(), "why", why));
                return;
            }
            Issue issue = codes.issue(user, purpose);
            if (issue instanceof Issue.Refused refused) {
                publish(Outcome.DENY, Reasons.OTP_REFUSED, user, source, Map.of("purpose", purpose.id(), "why",
                        refused.reason(), "retry_at", refused.retryAt().toString()));
                return;
            }
            Issue.Issued issued = (Issue.Issued) issue;
            publish(Outcome.ALLOW, Reasons.OTP_ISSUED, user, source, Map.of("purpose", purpose.id(), "expires_at",
                    issued.expiresAt().toString(), "channel", channel.name()));
            String key = user + "/" + purpose.id();
            deliveries.put(key, "sending by " + channel.name());
            OtpMessage message = new OtpMessage(user, found.get().email(), purpose, issued.code(), issued.expiresAt());
            try {
                channel.deliver(message).whenComplete((ok, failure) -> delivered(key, user, purpose, source,
                        channel.name(), failure));
            } catch (RuntimeException e) {
                delivered(key, user, purpose, source, channel.name(), e);
            }
        } catch (RuntimeException e) {
            LOG.warn("A one-time code request could not be handled: {}", e.toString());
            publish(Outcome.ERROR, Reasons.OTP_REFUSED, user, source, Map.of("purpose", purpose.id(), "why",
                    "failed: " + e.getClass().getSimpleName()));
        }
    }

    private static boolean reaches(OtpChannel channel, String address) {
        try {
            return channel.reaches(address);
        } catch (RuntimeException e) {
            LOG.warn("One-time code channel {} failed to say whether it reaches an address: {}", channel.name(),
                    e.toString());
            return false;
        }
    }

    private void delivered(String key, String user, OtpPurpose purpose, String source, String channel,
            Throwable failure) {
        if (failure == null) {
            deliveries.put(key, "sent by " + channel + " at " + clock.instant());
            publish(Outcome.ALLOW, Reasons.OTP_SENT, user, source, Map.of("purpose", purpose.id(), "channel", channel));
        } else {
            Throwable cause = failure.getCause() != null && failure instanceof java.util.concurrent.CompletionException
                    ? failure.getCause() : failure;
            String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            deliveries.put(key, "failed (" + channel + "): " + why);
            publish(Outcome.ERROR, Reasons.OTP_SEND_FAILED, user, source, Map.of("purpose", purpose.id(), "channel",
                    channel, "why", why));
        }
    }

    @Override
    public OtpConfirmation confirm(String username, OtpPurpose purpose, String code, String newPassword,
            String source) {
        Objects.requireNonNull(purpose, "purpose");
        String user = username == null ? "" : username;
        if (purpose != OtpPurpose.UNLOCK) {
            Optional<String> problem = accounts.passwordProblem(newPassword);
            if (problem.isPresent()) {
                // checked first: a password the policy refuses does not spend the code
                return new OtpConfirmation(false, problem.get());
            }
        }
        Check check = plausible(user) && code != null && code.length() <= 16 ? codes.confirm(user, purpose, code)
                : Check.NONE;
        if (check != Check.ACCEPTED) {
            publish(Outcome.DENY, Reasons.OTP_REJECTED, user, source, Map.of("purpose", purpose.id(), "check",
                    check.name().toLowerCase(java.util.Locale.ROOT)));
            return new OtpConfirmation(false, WRONG_CODE);
        }
        deliveries.remove(user + "/" + purpose.id());
        if (purpose == OtpPurpose.UNLOCK) {
            publish(Outcome.ALLOW, Reasons.OTP_UNLOCK, user, source, Map.of("purpose", purpose.id()));
        } else {
            try {
                accounts.setPassword(user, newPassword, ACTOR + " (" + purpose.id() + ")");
            } catch (RuntimeException e) {
                publish(Outcome.ERROR, Reasons.OTP_CONFIRMED, user, source, Map.of("purpose", purpose.id(), "error",
                        e.getClass().getSimpleName()));
                return new OtpConfirmation(false, "The password could not be set: " + e.getMessage()
                        + " Ask for a new code.");
            }
        }
        publish(Outcome.ALLOW, Reasons.OTP_CONFIRMED, user, source, Map.of("purpose", purpose.id()));
        return new OtpConfirmation(true, null);
    }

    @Override
    public List<OtpPending> pending(String username) {
        return codes.pending(username).stream().map(p -> new OtpPending(p.username(), p.purpose(), p.issuedAt(),
                p.expiresAt(), p.attemptsLeft(), deliveries.getOrDefault(p.username() + "/" + p.purpose().id(),
                        "unknown (issued before a restart)"))).toList();
    }

    /** @return whether {@code user} could be an account's name at all (no lookup for what cannot) */
    private static boolean plausible(String user) {
        return !user.isEmpty() && user.length() <= MAX_NAME && user.chars().noneMatch(Character::isISOControl);
    }

    private void publish(Outcome outcome, String reason, String user, String source, Map<String, String> detail) {
        Map<String, String> d = new HashMap<>(detail);
        events.publish(new SecurityEvent(clock.instant(), EventType.OTP, outcome, reason, user.isEmpty() ? null : user,
                java.util.Set.of(), null, null, null, null, source == null ? ACTOR : source, d));
    }
}
