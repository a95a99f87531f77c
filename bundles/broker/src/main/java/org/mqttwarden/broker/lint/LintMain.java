package org.mqttwarden.broker.lint;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar warden-broker-lint.jar [options] <mosquitto.conf>}: lints a Mosquitto configuration for a CI
 * pipeline. Exit code 0: no findings; 1: findings (any severity); 2: the file cannot be read or is not a
 * Mosquitto configuration, or the arguments are wrong. Options: {@code --json} (one JSON document on standard
 * output), {@code --lockout-seconds N}, {@code --warden-response-mode status|json|text},
 * {@code --mosquitto 2.0|2.1}.
 */
public final class LintMain {

    static final int CLEAN = 0;
    static final int FINDINGS = 1;
    static final int UNUSABLE = 2;

    private static final String USAGE = "usage: java -jar warden-broker-lint.jar [--json] [--lockout-seconds N]"
            + " [--warden-response-mode status|json|text] [--mosquitto 2.0|2.1] <mosquitto.conf>";

    private LintMain() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
        int code = run(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** @return the exit code; the report goes to {@code out}, usage and errors to {@code err} */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        boolean json = false;
        LintOptions options = LintOptions.defaults();
        List<String> files = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--json" -> json = true;
                    case "--lockout-seconds" -> options = options.withLockoutSeconds(Integer.parseInt(next(args, ++i)));
                    case "--warden-response-mode" -> options = options.withWardenResponseMode(next(args, ++i));
                    case "--mosquitto" -> options = options.withTarget(next(args, ++i));
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return CLEAN;
                    }
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        files.add(args[i]);
                    }
                }
            }
            if (files.size() != 1) {
                throw new IllegalArgumentException("give exactly one mosquitto.conf");
            }
        } catch (IllegalArgumentException e) {
            err.println("warden-broker-lint: " + e.getMessage());
            err.println(USAGE);
            return UNUSABLE;
        }
        MosquittoConfig config;
        try {
            config = ConfigParser.parse(Path.of(files.get(0)));
        } catch (ConfigException e) {
            err.println("warden-broker-lint: " + e.getMessage());
            if (json) {
                try {
                    JsonReport.writeError(files.get(0), e.getMessage(), out);
                } catch (IOException io) {
                    return UNUSABLE;
                }
            }
            return UNUSABLE;
        }
        List<Finding> findings = new Linter(options).lint(config);
        try {
            if (json) {
                JsonReport.write(config, findings, out);
            } else {
                text(config, findings, out);
            }
        } catch (IOException e) {
            err.println("warden-broker-lint: cannot write the report (" + e.getMessage() + ")");
            return UNUSABLE;
        }
        return findings.isEmpty() ? CLEAN : FINDINGS;
    }

    /**
     * @return {@code s} with control characters replaced by '?': paths and values come from the configuration,
     *     and an escape sequence in one must not rewrite the terminal or CI log that shows the report
     */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }

    private static String next(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void text(MosquittoConfig config, List<Finding> findings, Writer w) throws IOException {
        PrintWriter out = new PrintWriter(w);
        for (Finding f : findings) {
            out.println(printable(f.severity() + " " + f.where() + " [" + f.rule() + "] " + f.message()));
            out.println(printable("    why: " + f.why()));
            out.println(printable("    fix: " + f.fix()));
        }
        long critical = findings.stream().filter(f -> f.severity() == Severity.CRITICAL).count();
        long warning = findings.stream().filter(f -> f.severity() == Severity.WARNING).count();
        long info = findings.size() - critical - warning;
        int files = config.files().size();
        out.println(printable(config.main() + " (") + files + " file" + (files == 1 ? "" : "s") + "): " + (findings.isEmpty() ? "no findings" : critical + " critical, " + warning + " warning, "
                        + info + " info"));
        out.flush();
    }
}
