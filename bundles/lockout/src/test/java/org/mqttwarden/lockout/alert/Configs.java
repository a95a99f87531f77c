package org.mqttwarden.lockout.alert;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Configuration annotations as Declarative Services hands them over: defaults, some keys overridden. */
final class Configs {

    private Configs() {
    }

    /** @param overrides by method name, e.g. {@code alert_mqtt_enabled -> true} */
    @SuppressWarnings("unchecked")
    static <A> A of(Class<A> type, Map<String, Object> overrides) {
        return (A) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> {
            return switch (m.getName()) {
                case "annotationType" -> type;
                case "toString" -> type.getSimpleName() + overrides;
                case "hashCode" -> overrides.hashCode();
                case "equals" -> proxy == args[0];
                default -> overrides.containsKey(m.getName()) ? overrides.get(m.getName()) : m.getDefaultValue();
            };
        });
    }

    static AlertDetector.Config alerts(Map<String, Object> overrides) {
        return of(AlertDetector.Config.class, overrides);
    }
}
