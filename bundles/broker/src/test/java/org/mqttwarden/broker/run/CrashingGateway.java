package org.mqttwarden.broker.run;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.mqttwarden.broker.config.BrokerConfig;
import org.mqttwarden.testsupport.Configs;

/**
 * A gateway in a JVM of its own, for the test that kills it with SIGKILL: it starts the managed broker of the
 * folder given, prints the broker's pid, and waits on standard input for a death that never comes gently.
 */
public final class CrashingGateway {

    private CrashingGateway() {
    }

    public static void main(String[] args) throws Exception {
        BrokerConfig config = Configs.of(BrokerConfig.class, Map.of("broker.dir", Path.of(args[0]).toString()));
        ManagedBroker broker = new ManagedBroker(config);
        long pid = broker.start(false, Optional::empty);
        System.out.println("pid " + pid);
        System.out.flush();
        System.in.read();
        broker.deactivate();
    }
}
