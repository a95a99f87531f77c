package org.mqttwarden.auth;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Configuration annotations as Declarative Services hands them over: the defaults, with some keys given. */
public final class TestAnnotations {

    private TestAnnotations() {
    }

    /** @return an instance of the annotation {@code type}: {@code values} by method name, else the defaults */
    public static <A> A of(Class<A> type, Map<String, ?> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> method.getName().equals("annotationType") ? type
                        : values.containsKey(method.getName()) ? values.get(method.getName())
                                : method.getDefaultValue()));
    }
}
