package org.mqttwarden.broker.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mqttwarden.broker.setup.SetupService;

/** Completes the names of the clients that have a certificate in the broker folder (to reissue one). */
@Service
public class BrokerClientCompleter implements Completer {

    @Reference
    SetupService setup;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        Path clients = setup.layout(null).clients();
        if (Files.isDirectory(clients)) {
            try (Stream<Path> files = Files.list(clients)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".crt"))
                        .map(n -> n.substring(0, n.length() - 4)).forEach(delegate.getStrings()::add);
            } catch (IOException e) {
                // nothing to complete
            }
        }
        return delegate.complete(session, commandLine, candidates);
    }
}
