package org.mqttwarden.http;

import java.lang.annotation.Annotation;

/** An {@link HttpConfig} as DS would hand it over, for constructing {@link GoAuthServer} directly. */
record HttpSettings(String host, int port, String response_mode, String path_user, String path_superuser,
        String path_acl, int worker_threads, int queue_size) implements HttpConfig {

    /** Loopback, any free port, go-auth's default paths, the shipped pool sizes. */
    static HttpSettings loopback(String responseMode) {
        return new HttpSettings("127.0.0.1", 0, responseMode, "/user", "/superuser", "/acl", 8, 1024);
    }

    HttpSettings withPort(int newPort) {
        return new HttpSettings(host, newPort, response_mode, path_user, path_superuser, path_acl, worker_threads,
                queue_size);
    }

    HttpSettings withPaths(String user, String superuser, String acl) {
        return new HttpSettings(host, port, response_mode, user, superuser, acl, worker_threads, queue_size);
    }

    HttpSettings withWorkers(int threads, int queue) {
        return new HttpSettings(host, port, response_mode, path_user, path_superuser, path_acl, threads, queue);
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return HttpConfig.class;
    }
}
