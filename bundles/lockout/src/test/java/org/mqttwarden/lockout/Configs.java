package org.mqttwarden.lockout;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Configuration annotations as Declarative Services hands them over: defaults, some keys overridden. */
public final class Configs {

    private Configs() {
    }

    /** @param overrides by method name, e.g. {@code alert_mqtt_enabled -> true} */
    @SuppressWarnings("unchecked")
    public static <A> A of(Class<A> type, Map<String, ?> overrides) {
        for (String key : overrides.keySet()) {
            try {
                type.getMethod(key);
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(type.getSimpleName() + " has no key " + key, e);
            }
        }
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

    /** @return the shipped lockout and alert settings, the keys given overridden */
    public static LockoutGuard.Config lockout(Map<String, ?> overrides) {
        return of(LockoutGuard.Config.class, overrides);
    }
}
