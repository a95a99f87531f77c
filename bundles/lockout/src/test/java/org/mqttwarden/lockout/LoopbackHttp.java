package org.mqttwarden.lockout;

import java.lang.annotation.Annotation;

import org.mqttwarden.http.HttpConfig;

/** An {@link HttpConfig} on loopback, any free port, the shipped paths and pool. */
public final class LoopbackHttp implements HttpConfig {
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
        return "status";
    }

    @Override
    public String path_user() {
        return "/user";
    }

    @Override
    public String path_superuser() {
        return "/superuser";
    }

    @Override
    public String path_acl() {
        return "/acl";
    }

    @Override
    public int worker_threads() {
        return 8;
    }

    @Override
    public int queue_size() {
        return 1024;
    }
}
