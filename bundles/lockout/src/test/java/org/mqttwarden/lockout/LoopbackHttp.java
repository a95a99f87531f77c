package org.mqttwarden.lockout;

import java.util.Map;

import org.mqttwarden.api.auth.Authenticator;
import org.mqttwarden.api.auth.Authorizer;
import org.mqttwarden.api.store.WardenDatabase;
import org.mqttwarden.http.CallerConfig;
import org.mqttwarden.http.GoAuthServer;
import org.mqttwarden.http.HttpConfig;
import org.mqttwarden.testsupport.Configs;

/**
 * The real go-auth HTTP backend on loopback, any free port, every other key as shipped, serving every caller
 * (the shipped caller defaults), for tests that attack the gateway over HTTP. In warden-lockout's test-jar for
 * warden-alerts' tests too.
 */
public final class LoopbackHttp {

    private LoopbackHttp() {
    }

    /** @return a started server; its port is {@link GoAuthServer#port()}, stop it with {@link GoAuthServer#stop()} */
    public static GoAuthServer start(Authenticator authenticator, Authorizer authorizer, WardenDatabase db) {
        return new GoAuthServer(Configs.of(HttpConfig.class, Map.of("host", "127.0.0.1", "port", 0)),
                Configs.defaults(CallerConfig.class), authenticator, authorizer, db);
    }
}
