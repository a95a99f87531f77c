package org.mqttwarden.testsupport;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.osgi.util.converter.Converter;
import org.osgi.util.converter.Converters;

/**
 * Configuration annotations as Declarative Services hands them to a component: the annotation's defaults,
 * with the properties given, converted by the OSGi Converter the way DS converts an {@code etc/<pid>.cfg}
 * file's values (strings such as {@code "true"} or {@code "5"} become the method's type).
 *
 * <p>Keys are the configuration property names, as written in the {@code .cfg} file
 * ({@code bcrypt.cost} for the method {@code bcrypt_cost}, {@code alert.mqtt.enabled} for
 * {@code alert_mqtt_enabled}). A key that names no method of the annotation is refused, so a typo in a test
 * does not silently test the default.
 */
public final class Configs {

    private static final Converter CONVERTER = Converters.standardConverter();

    private Configs() {
    }

    /** @return the annotation {@code type} with its defaults and no property set */
    public static <A> A defaults(Class<A> type) {
        return of(type, Map.of());
    }

    /**
     * @param properties by configuration property name, e.g. {@code "alert.mqtt.enabled" -> true}
     * @return the annotation {@code type} with these properties, the others at their defaults
     * @throws IllegalArgumentException when a key names no property of {@code type}
     */
    public static <A> A of(Class<A> type, Map<String, ?> properties) {
        if (!type.isAnnotation()) {
            throw new IllegalArgumentException(type.getName() + " is not an annotation type");
        }
        Set<String> known = propertyNames(type);
        Set<String> unknown = new LinkedHashSet<>(properties.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(type.getSimpleName() + " has no propert" + (unknown.size() == 1
                    ? "y " : "ies ") + String.join(", ", unknown) + "; its properties are " + known);
        }
        return CONVERTER.convert(new HashMap<>(properties)).to(type);
    }

    /** @return a copy of {@code base}'s values as properties, with {@code overrides} on top */
    public static <A> A with(Class<A> type, A base, Map<String, ?> overrides) {
        Map<String, Object> values = new HashMap<>();
        for (Method m : type.getDeclaredMethods()) {
            try {
                values.put(propertyName(m.getName()), m.invoke(base));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + m.getName() + " of " + base, e);
            }
        }
        Set<String> unknown = new LinkedHashSet<>(overrides.keySet());
        unknown.removeAll(values.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(type.getSimpleName() + " has no properties " + unknown);
        }
        values.putAll(overrides);
        return of(type, values);
    }

    /** @return the property names of {@code type}'s methods, as DS derives them (component spec 112.8.2.2) */
    public static Set<String> propertyNames(Class<?> type) {
        Set<String> names = new LinkedHashSet<>();
        for (Method m : type.getDeclaredMethods()) {
            names.add(propertyName(m.getName()));
        }
        return names;
    }

    /**
     * @return the property name DS derives from a method name: {@code $$} is {@code $}, a single {@code $}
     *         disappears, {@code __} is {@code _}, a single {@code _} is {@code .}
     */
    public static String propertyName(String method) {
        StringBuilder b = new StringBuilder(method.length());
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            boolean doubled = i + 1 < method.length() && method.charAt(i + 1) == c;
            if (c == '$') {
                if (doubled) {
                    b.append('$');
                    i++;
                }
            } else if (c == '_') {
                b.append(doubled ? '_' : '.');
                if (doubled) {
                    i++;
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
