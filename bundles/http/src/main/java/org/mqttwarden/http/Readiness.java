package org.mqttwarden.http;

import java.util.Optional;

/**
 * Whether the gateway has finished starting, as {@code /health} asks it on every request, on the
 * IO thread: implementations answer from what they already know, at once, without blocking.
 */
interface Readiness {

    /** Always ready: a server built directly, with no gateway around it to wait for. */
    Readiness READY = Optional::empty;

    /** @return empty when the gateway is ready; else what it still waits for, or what failed */
    Optional<NotReady> now();
}
