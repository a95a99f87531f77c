package org.mqttwarden.broker.setup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mqttwarden.testsupport.TestClock;

/**
 * The generated files are the repository's reference configuration (mosquitto-go-auth-conf/mosquitto.conf with
 * go-auth-status-nosuperuser.conf) for a default gateway: the same options with the same values, in the same
 * order, except the lines that must differ, each named here with its reason. A change to either side that is not
 * made to the other fails this test.
 */
class ReferenceMatchTest {

    private static final Path REFERENCE = Path.of("").toAbsolutePath().resolve("../../mosquitto-go-auth-conf")
            .normalize();

    /** Options whose value is this gateway's: paths in the broker folder, its OS user, its plugin path. */
    private static final Set<String> LOCAL = Set.of("user", "persistence_location", "log_dest", "certfile", "keyfile",
            "cafile", "include_dir", "auth_plugin");
    /** In the reference, not generated: deprecated in 2.1 and the default; written only when daemonized. */
    private static final Set<String> DROPPED = Set.of("per_listener_settings", "pid_file");
    /** Generated, commented out in the reference: the fork's caller key header (the key is this gateway's). */
    private static final String HEADER = "auth_opt_http_header_X-Warden-Key";

    @TempDir
    Path tmp;

    @Test
    void theGeneratedFilesAreTheReferenceForThisGateway() throws Exception {
        Layout l = new Layout(tmp.resolve("broker"));
        new BrokerSetup(new TestClock()).init(new BrokerSetup.InitRequest(l, List.of(), List.of(),
                OptionalInt.empty(), false, false, Path.of("/usr/local/lib/mosquitto-go-auth/go-auth.so"),
                Setups.http(Files.createDirectories(tmp.resolve("etc")), Map.of()), "mosquitto"));

        List<String[]> reference = options(REFERENCE.resolve("mosquitto.conf"));
        reference.addAll(options(REFERENCE.resolve("go-auth-status-nosuperuser.conf")));
        List<String[]> generated = options(l.mosquittoConf());
        generated.addAll(options(l.goAuthConf()));

        List<String> expected = new ArrayList<>();
        for (String[] o : reference) {
            if (!DROPPED.contains(o[0])) {
                expected.add(LOCAL.contains(o[0]) ? o[0] + " <local>" : o[0] + " " + o[1]);
            }
        }
        List<String> actual = new ArrayList<>();
        String header = null;
        for (String[] o : generated) {
            if (o[0].equals(HEADER)) {
                header = o[1];
                continue;
            }
            actual.add(LOCAL.contains(o[0]) ? o[0] + " <local>" : o[0] + " " + o[1]);
        }
        assertThat(actual).containsExactlyElementsOf(expected);
        assertThat(header).isEqualTo(Files.readString(l.apiKey()).trim());
        assertThat(Files.readString(REFERENCE.resolve("go-auth-status-nosuperuser.conf")))
                .contains("#" + HEADER + " ");

        // and the local values are this gateway's
        List<String> local = generated.stream().filter(o -> LOCAL.contains(o[0])).map(o -> o[0] + " " + o[1])
                .toList();
        assertThat(local).containsExactly("user mosquitto", "persistence_location " + l.data() + "/",
                "log_dest file " + l.log(), "certfile " + l.serverCert(), "keyfile " + l.serverKey(),
                "cafile " + l.caCert(), "include_dir " + l.confD(),
                "auth_plugin /usr/local/lib/mosquitto-go-auth/go-auth.so");
    }

    /** @return the file's option lines as {key, value}, in order (Mosquitto: '#' in the first column only) */
    private static List<String[]> options(Path file) throws Exception {
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int sp = line.indexOf(' ');
            out.add(sp < 0 ? new String[] {line, ""} : new String[] {line.substring(0, sp), line.substring(sp + 1)});
        }
        return out;
    }
}
