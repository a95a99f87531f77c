package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.mqttwarden.api.http.GoAuthBackend;

/**
 * warden-http's configuration keeps the property names and defaults that api.http's {@link GoAuthBackend} promises
 * to other bundles (warden-broker writes go-auth's options from them): renaming one here breaks this test, not a
 * gateway's generated go-auth.conf.
 */
class GoAuthBackendNamesTest {

    private static Map<String, Object> defaults() {
        return Stream.of(HttpConfig.class, CallerConfig.class).flatMap(c -> Arrays.stream(c.getDeclaredMethods()))
                .filter(m -> m.getDefaultValue() != null)
                .collect(Collectors.toMap(m -> m.getName().replace('_', '.'), Method::getDefaultValue, (a, b) -> a));
    }

    @Test
    void everyPromisedPropertyIsOneOfWardenHttpsWithThePromisedDefault() {
        Map<String, Object> d = defaults();
        Function<String, Object> of = name -> {
            assertThat(d).as("warden-http has a property " + name).containsKey(name);
            return d.get(name);
        };
        assertThat(GoAuthBackend.PID).isEqualTo("org.mqttwarden.http");
        assertThat(of.apply(GoAuthBackend.HOST)).isEqualTo(GoAuthBackend.DEFAULT_HOST);
        assertThat(of.apply(GoAuthBackend.PORT)).isEqualTo(GoAuthBackend.DEFAULT_PORT);
        assertThat(of.apply(GoAuthBackend.PATH_USER)).isEqualTo(GoAuthBackend.DEFAULT_PATH_USER);
        assertThat(of.apply(GoAuthBackend.PATH_SUPERUSER)).isEqualTo(GoAuthBackend.DEFAULT_PATH_SUPERUSER);
        assertThat(of.apply(GoAuthBackend.PATH_ACL)).isEqualTo(GoAuthBackend.DEFAULT_PATH_ACL);
        assertThat(of.apply(GoAuthBackend.RESPONSE_MODE)).isEqualTo(GoAuthBackend.DEFAULT_RESPONSE_MODE);
        assertThat(of.apply(GoAuthBackend.AUTH_HEADER_NAME)).isEqualTo(GoAuthBackend.DEFAULT_AUTH_HEADER_NAME);
        assertThat(of.apply(GoAuthBackend.AUTH_KEY_FILE)).isEqualTo("");
        assertThat(of.apply(GoAuthBackend.AUTH_KEY_REQUIRED)).isEqualTo(false);
    }
}
