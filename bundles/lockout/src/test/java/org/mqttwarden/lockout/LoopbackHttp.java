package org.mqttwarden.lockout;

import java.lang.annotation.Annotation;

import org.mqttwarden.http.HttpConfig;

/**
 * An {@link HttpConfig} on loopback, any free port; every other key as shipped (read from the
 * annotation's defaults, so a key added to the HTTP backend needs nothing here).
 */
public final class LoopbackHttp implements HttpConfig {

    @SuppressWarnings("unchecked")
    private static <T> T shipped(String key) {
        try {
            return (T) HttpConfig.class.getMethod(key).getDefaultValue();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return HttpConfig.class;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return 0;
    }

    @Override
    public String response_mode() {
        return shipped("response_mode");
    }

    @Override
    public String path_user() {
        return shipped("path_user");
    }

    @Override
    public String path_superuser() {
        return shipped("path_superuser");
    }

    @Override
    public String path_acl() {
        return shipped("path_acl");
    }

    @Override
    public int worker_threads() {
        return shipped("worker_threads");
    }

    @Override
    public int fast_threads() {
        return shipped("fast_threads");
    }

    @Override
    public int queue_size() {
        return shipped("queue_size");
    }

    @Override
    public int parse_timeout_ms() {
        return shipped("parse_timeout_ms");
    }

    @Override
    public int body_timeout_ms() {
        return shipped("body_timeout_ms");
    }

    @Override
    public int idle_timeout_ms() {
        return shipped("idle_timeout_ms");
    }

    @Override
    public int max_connections() {
        return shipped("max_connections");
    }

    @Override
    public int stall_timeout_ms() {
        return shipped("stall_timeout_ms");
    }
}
