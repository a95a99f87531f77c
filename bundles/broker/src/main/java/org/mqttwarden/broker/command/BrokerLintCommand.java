package org.mqttwarden.broker.command;

import java.nio.file.Path;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.mqttwarden.broker.lint.LintOptions;
import org.mqttwarden.broker.setup.LintRun;
import org.mqttwarden.broker.setup.SetupException;
import org.mqttwarden.broker.setup.SetupService;

/**
 * The linter of bundles/broker/README.md in the shell, against this gateway's warden-http response mode. Every
 * finding is printed; the command fails (CommandException, so a script over SSH or bin/warden sees an error) only
 * when a CRITICAL finding exists: the same line warden:broker-start draws, whereas warnings and infos are advice.
 */
@Service
@Command(scope = "warden", name = "broker-lint", description = "Checks a mosquitto.conf (and its include_dir) for"
        + " insecure or broken settings; fails when a CRITICAL finding exists.")
public class BrokerLintCommand implements Action {

    @Reference
    SetupService setup;

    @Reference
    Session session;

    @Completion(FileCompleter.class)
    @Argument(index = 0, name = "mosquitto.conf", description = "The configuration; default the generated one in"
            + " broker.dir")
    String file;

    @Option(name = "--lockout-seconds", description = "Warden's account lock duration, which go-auth cache entries"
            + " must not outlive (default 900, warden-lockout's first lock)")
    int lockoutSeconds = LintOptions.DEFAULT_LOCKOUT_SECONDS;

    @Option(name = "--mosquitto", description = "The Mosquitto version: 2.0 (default) or 2.1")
    String target = "2.0";

    @Override
    public Object execute() throws Exception {
        Path conf = file == null ? setup.layout(null).mosquittoConf()
                : Path.of(System.getProperty("karaf.home", ".")).resolve(file).toAbsolutePath().normalize();
        LintOptions options;
        try {
            options = LintOptions.defaults().withLockoutSeconds(lockoutSeconds).withTarget(target)
                    .withWardenResponseMode(setup.http().responseMode());
        } catch (IllegalArgumentException e) {
            throw new CommandException(capital(e.getMessage()) + ".");
        } catch (SetupException e) {
            throw new CommandException(e.getMessage());
        }
        LintRun run;
        try {
            run = LintRun.of(conf, options);
        } catch (SetupException e) {
            throw new CommandException(e.getMessage());
        }
        List<String> lines = run.lines();
        for (String line : lines.subList(0, lines.size() - 1)) {
            session.getConsole().println(line);
        }
        if (run.critical() > 0) {
            throw new CommandException(run.summary() + ": fix the critical findings before starting the broker.");
        }
        session.getConsole().println(run.summary());
        return null;
    }

    private static String capital(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
