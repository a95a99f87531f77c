package org.mqttwarden.broker.setup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.mqttwarden.broker.lint.ConfigException;
import org.mqttwarden.broker.lint.ConfigParser;
import org.mqttwarden.broker.lint.Finding;
import org.mqttwarden.broker.lint.LintOptions;
import org.mqttwarden.broker.lint.Linter;
import org.mqttwarden.broker.lint.MosquittoConfig;
import org.mqttwarden.broker.lint.Severity;

/**
 * warden:broker-lint without the shell: the linter's findings as the lint jar prints them (severity, file:line,
 * rule, what, why, fix; control characters from the configuration replaced) and a summary line.
 *
 * @param lines the report, one finding in three lines, the summary last
 * @param critical how many findings are CRITICAL (the command fails when there is one)
 * @param findings all findings
 */
public record LintRun(List<String> lines, long critical, List<Finding> findings) {

    public LintRun {
        lines = List.copyOf(lines);
        findings = List.copyOf(findings);
    }

    /**
     * @throws SetupException when the file cannot be linted at all (unreadable, not a Mosquitto configuration)
     */
    public static LintRun of(Path conf, LintOptions options) throws SetupException {
        MosquittoConfig config;
        try {
            config = ConfigParser.parse(conf);
        } catch (ConfigException e) {
            throw new SetupException(printable(e.getMessage()));
        }
        List<Finding> findings = new Linter(options).lint(config);
        List<String> lines = new ArrayList<>();
        for (Finding f : findings) {
            lines.add(printable(f.severity() + " " + f.where() + " [" + f.rule() + "] " + f.message()));
            lines.add(printable("    why: " + f.why()));
            lines.add(printable("    fix: " + f.fix()));
        }
        long critical = findings.stream().filter(f -> f.severity() == Severity.CRITICAL).count();
        long warning = findings.stream().filter(f -> f.severity() == Severity.WARNING).count();
        long info = findings.size() - critical - warning;
        int files = config.files().size();
        lines.add(printable(config.main().toString()) + " (" + files + " file" + (files == 1 ? "" : "s") + "): "
                + (findings.isEmpty() ? "no findings" : critical + " critical, " + warning + " warning, " + info
                        + " info"));
        return new LintRun(lines, critical, findings);
    }

    /** @return the summary line */
    public String summary() {
        return lines.get(lines.size() - 1);
    }

    /** Control characters replaced by '?': paths and values come from the file and must not drive the terminal. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
