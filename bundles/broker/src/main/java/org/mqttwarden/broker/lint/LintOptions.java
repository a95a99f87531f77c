package org.mqttwarden.broker.lint;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What the linter compares the configuration with.
 *
 * @param lockoutSeconds Warden's account lock duration: go-auth cache entries living longer outlive a lock
 *     (default {@value #DEFAULT_LOCKOUT_SECONDS} s, warden-lockout's {@code lock.minutes} default of 15)
 * @param wardenResponseMode Warden's {@code response.mode} (PID {@code org.mqttwarden.http}): status, json or
 *     text; default status, as warden-http and the warden feature ship it
 * @param target the Mosquitto version the configuration is for: {@code 2.0} (Debian bookworm's 2.0.11, the
 *     default) or {@code 2.1}, which turns on the rules about 2.1's changed defaults
 * @param passwd the passwd file that names the broker's user (normally {@code /etc/passwd})
 * @param group the group file (normally {@code /etc/group})
 */
public record LintOptions(int lockoutSeconds, String wardenResponseMode, String target, Path passwd, Path group) {

    /** warden-lockout's default first lock, {@code lock.minutes = 15}, in seconds. */
    public static final int DEFAULT_LOCKOUT_SECONDS = 15 * 60;

    private static final Set<String> MODES = Set.of("status", "json", "text");
    private static final Set<String> TARGETS = Set.of("2.0", "2.1");

    public LintOptions {
        if (lockoutSeconds < 1) {
            throw new IllegalArgumentException("the lockout duration must be at least 1 second, was "
                    + lockoutSeconds);
        }
        Objects.requireNonNull(wardenResponseMode, "wardenResponseMode");
        wardenResponseMode = wardenResponseMode.toLowerCase(Locale.ROOT);
        if (!MODES.contains(wardenResponseMode)) {
            throw new IllegalArgumentException("Warden's response mode must be status, json or text, not '"
                    + wardenResponseMode + "'");
        }
        if (!TARGETS.contains(target)) {
            throw new IllegalArgumentException("the Mosquitto version must be 2.0 or 2.1, not '" + target + "'");
        }
        Objects.requireNonNull(passwd, "passwd");
        Objects.requireNonNull(group, "group");
    }

    /** @return Warden's defaults, for Mosquitto 2.0, with this machine's users */
    public static LintOptions defaults() {
        return new LintOptions(DEFAULT_LOCKOUT_SECONDS, "status", "2.0", Path.of("/etc/passwd"),
                Path.of("/etc/group"));
    }

    public LintOptions withLockoutSeconds(int seconds) {
        return new LintOptions(seconds, wardenResponseMode, target, passwd, group);
    }

    public LintOptions withWardenResponseMode(String mode) {
        return new LintOptions(lockoutSeconds, mode, target, passwd, group);
    }

    public LintOptions withTarget(String version) {
        return new LintOptions(lockoutSeconds, wardenResponseMode, version, passwd, group);
    }
}
