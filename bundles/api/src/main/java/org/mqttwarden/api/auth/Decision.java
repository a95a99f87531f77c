package org.mqttwarden.api.auth;

import java.util.Objects;

/**
 * The answer to an authentication or authorization question.
 *
 * <p>A denial carries a reason code for the audit log (never for the wire) and, for ACL decisions,
 * the rule that decided it, so an admin can see why.
 *
 * @param allowed whether the request is allowed
 * @param reason a short machine-readable reason code, e.g. {@code acl.allow}, {@code acl.default-deny}
 * @param detail a human-readable explanation: for ACL decisions the deciding rule; never a secret
 */
public record Decision(boolean allowed, String reason, String detail) {

    public Decision {
        Objects.requireNonNull(reason, "reason");
        detail = detail == null ? "" : detail;
    }

    public static Decision allow(String reason, String detail) {
        return new Decision(true, reason, detail);
    }

    public static Decision deny(String reason, String detail) {
        return new Decision(false, reason, detail);
    }
}
