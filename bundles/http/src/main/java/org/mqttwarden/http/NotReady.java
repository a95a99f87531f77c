package org.mqttwarden.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Why the gateway is not ready, as {@code /health} says it (503):
 * {@code {"status":"STARTING","waiting":"first start","detail":"..."}} while a part of it is still
 * starting, {@code {"status":"DOWN","failed":"first start","detail":"..."}} when a part failed to.
 *
 * @param failed true when the part failed (DOWN), false while it is starting (STARTING)
 * @param part what is waited for or failed: {@code framework}, {@code bundles}, {@code components},
 *     a {@link org.mqttwarden.api.health.StartupStep}'s name, {@code shell}, {@code readiness check}
 * @param detail one short sentence for the operator, or {@code null} for none
 */
record NotReady(boolean failed, String part, String detail) {

    static NotReady starting(String part, String detail) {
        return new NotReady(false, part, detail);
    }

    static NotReady failed(String part, String detail) {
        return new NotReady(true, part, detail);
    }

    /** @return the body of {@code /health}'s 503 */
    String json() {
        StringBuilder b = new StringBuilder(96).append(failed ? "{\"status\":\"DOWN\",\"failed\":\""
                : "{\"status\":\"STARTING\",\"waiting\":\"");
        quote(b, part).append('"');
        if (detail != null) {
            quote(b.append(",\"detail\":\""), detail).append('"');
        }
        return b.append('}').toString();
    }

    private static StringBuilder quote(StringBuilder b, String text) {
        JsonStringEncoder.getInstance().quoteAsString(text, b);
        return b;
    }
}
