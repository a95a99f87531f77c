package org.mqttwarden.broker.setup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** What the setup tests share: a request for a folder, with warden-http's settings and a go-auth stand-in. */
final class Setups {

    private Setups() {
    }

    /** @return warden-http's settings with {@code overrides} (by property name), its key file in {@code etc} */
    static WardenHttp http(Path etc, Map<String, ?> overrides) {
        Map<String, Object> p = new HashMap<>(overrides);
        p.putIfAbsent("auth.key.file", etc.resolve("warden-http.key").toString());
        return WardenHttp.from(p);
    }

    /** @return a file standing in for go-auth.so (the linter wants the plugin file to exist) */
    static Path plugin(Path dir) {
        try {
            Path p = dir.resolve("go-auth.so");
            if (!Files.exists(p)) {
                Files.writeString(p, "stands in for go-auth");
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BrokerSetup.InitRequest request(Path dir, WardenHttp http, Path plugin, boolean force) {
        return new BrokerSetup.InitRequest(new Layout(dir), List.of(), List.of(), OptionalInt.empty(), false, force,
                plugin, http, System.getProperty("user.name"));
    }

    static String mode(Path file) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
