package org.mqttwarden.broker.lint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.mqttwarden.testsupport.TestPki;

/**
 * A folder with real certificate and key files (made by {@link TestPki}, modes set for real) and configuration
 * files written into it, linted with this machine's users unless a test gives its own passwd and group files.
 */
final class Fixture {

    final Path dir;
    final Path cert;
    final Path key;
    final Path ca;

    Fixture(Path dir) {
        this.dir = dir;
        TestPki pki = TestPki.create("lint");
        TestPki.Issued server = pki.server("localhost", "127.0.0.1");
        cert = server.writeChainPem(dir);
        key = server.writeKeyPem(dir);
        ca = pki.writeCaPem(dir);
    }

    /** @return the file {@code name} in the folder, holding {@code lines} */
    Path write(String name, String... lines) {
        Path file = dir.resolve(name);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Sets a real mode, e.g. {@code rw-r--r--}. */
    static void chmod(Path file, String mode) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The TLS lines of a listener using this folder's certificate, key and CA, with the broker as this user. */
    String[] tls() {
        return new String[] {"certfile " + cert, "keyfile " + key, "cafile " + ca, "tls_version tlsv1.2"};
    }

    /** @return {@code user <the user running the tests>}: Mosquitto then reads the files it owns */
    static String user() {
        return "user " + System.getProperty("user.name");
    }

    List<Finding> lint(Path main) {
        return lint(main, LintOptions.defaults());
    }

    static List<Finding> lint(Path main, LintOptions options) {
        try {
            return new Linter(options).lint(ConfigParser.parse(main));
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** @return the 1-based number of the first line of {@code file} that starts with {@code prefix} */
    static int lineOf(Path file, String prefix) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(prefix)) {
                    return i + 1;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no line starting with '" + prefix + "' in " + file);
    }

    /** A finding reduced to what tests compare: severity, rule, file name and line. */
    record Where(Severity severity, String rule, String file, int line) {
        static Where of(Finding f) {
            return new Where(f.severity(), f.rule(), f.file().getFileName().toString(), f.line());
        }
    }

    static List<Where> where(List<Finding> findings) {
        return findings.stream().map(Where::of).toList();
    }
}
