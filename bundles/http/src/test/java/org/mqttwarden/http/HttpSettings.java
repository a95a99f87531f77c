package org.mqttwarden.http;

import java.lang.annotation.Annotation;

/** An {@link HttpConfig} as DS would hand it over, for constructing {@link GoAuthServer} directly. */
record HttpSettings(String host, int port, String response_mode, String path_user, String path_superuser,
        String path_acl, int worker_threads, int fast_threads, int queue_size, int parse_timeout_ms,
        int body_timeout_ms, int idle_timeout_ms, int max_connections, int stall_timeout_ms) implements HttpConfig {

    /** Loopback, any free port, go-auth's default paths, the shipped pool sizes, timeouts and cap. */
    static HttpSettings loopback(String responseMode) {
        return new HttpSettings("127.0.0.1", 0, responseMode, "/user", "/superuser", "/acl", 8, 4, 1024, 2000, 2000,
                60_000, 2048, 5000);
    }

    HttpSettings withPort(int newPort) {
        return new HttpSettings(host, newPort, response_mode, path_user, path_superuser, path_acl, worker_threads,
                fast_threads, queue_size, parse_timeout_ms, body_timeout_ms, idle_timeout_ms, max_connections,
                stall_timeout_ms);
    }

    HttpSettings withPaths(String user, String superuser, String acl) {
        return new HttpSettings(host, port, response_mode, user, superuser, acl, worker_threads, fast_threads,
                queue_size, parse_timeout_ms, body_timeout_ms, idle_timeout_ms, max_connections, stall_timeout_ms);
    }

    /** @param threads the slow lane's threads; {@code queue} for each lane */
    HttpSettings withWorkers(int threads, int queue) {
        return new HttpSettings(host, port, response_mode, path_user, path_superuser, path_acl, threads, fast_threads,
                queue, parse_timeout_ms, body_timeout_ms, idle_timeout_ms, max_connections, stall_timeout_ms);
    }

    HttpSettings withLanes(int fast, int slow, int queue) {
        return new HttpSettings(host, port, response_mode, path_user, path_superuser, path_acl, slow, fast, queue,
                parse_timeout_ms, body_timeout_ms, idle_timeout_ms, max_connections, stall_timeout_ms);
    }

    HttpSettings withTimeouts(int parseMs, int bodyMs, int idleMs) {
        return new HttpSettings(host, port, response_mode, path_user, path_superuser, path_acl, worker_threads,
                fast_threads, queue_size, parseMs, bodyMs, idleMs, max_connections, stall_timeout_ms);
    }

    HttpSettings withMaxConnections(int max) {
        return new HttpSettings(host, port, response_mode, path_user, path_superuser, path_acl, worker_threads,
                fast_threads, queue_size, parse_timeout_ms, body_timeout_ms, idle_timeout_ms, max, stall_timeout_ms);
    }

    HttpSettings withStallTimeout(int ms) {
        return new HttpSettings(host, port, response_mode, path_user, path_superuser, path_acl, worker_threads,
                fast_threads, queue_size, parse_timeout_ms, body_timeout_ms, idle_timeout_ms, max_connections, ms);
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return HttpConfig.class;
    }
}
