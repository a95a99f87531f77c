package org.mqttwarden.http;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.mqttwarden.api.health.StartupStep;
import org.mqttwarden.http.GatewayReadiness.Check;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The parts of readiness, in the order {@link GatewayReadiness} asks them: Karaf's boot features
 * installed, every bundle asked to start active, every DS component satisfied, every
 * {@link StartupStep} done (the first start), and the shell's SSH port listening (what
 * {@code bin/warden} connects to).
 */
final class GatewayChecks {

    /** Registered by Karaf's features service once the boot features are installed and started. */
    static final String BOOT_FINISHED = "org.apache.karaf.features.BootFinished";
    static final String FEATURES_BUNDLE = "org.apache.karaf.features.core";
    /** Karaf's SSH server, which {@code bin/warden} uses. */
    static final String SSH_BUNDLE = "org.apache.karaf.shell.ssh";
    /** The port Karaf's SSH server listens on when {@code sshPort} is not set. */
    static final int DEFAULT_SSH_PORT = 8101;
    /** Names listed in a detail at most; the rest are counted. */
    private static final int NAMES = 3;

    private GatewayChecks() {
    }

    /** @return every check, for a gateway running in Karaf */
    static List<Check> of(BundleContext context, ServiceComponentRuntime scr, Path etc) {
        return List.of(bootFeatures(context), bundles(context), components(scr), steps(context),
                shell(() -> installed(context, SSH_BUNDLE), etc.resolve("org.apache.karaf.shell.cfg"),
                        ProcNetTcp.system()));
    }

    /** Karaf's boot features installed; passes when the features service is not installed at all. */
    static Check bootFeatures(BundleContext context) {
        return () -> context.getServiceReference(BOOT_FINISHED) != null || !installed(context, FEATURES_BUNDLE)
                ? Optional.empty()
                : Optional.of(NotReady.starting("boot features", "Karaf is installing its boot features"));
    }

    /**
     * The framework started and every bundle that was asked to start (persistently: a bundle stopped by
     * hand is not waited for) active; a fragment resolved.
     */
    static Check bundles(BundleContext context) {
        return () -> {
            Bundle system = context.getBundle(0);
            if (system.getState() != Bundle.ACTIVE) {
                return Optional.of(NotReady.starting("framework", "the OSGi framework is starting"));
            }
            List<String> waiting = new ArrayList<>();
            for (Bundle b : context.getBundles()) {
                BundleRevision revision = b.adapt(BundleRevision.class);
                BundleStartLevel level = b.adapt(BundleStartLevel.class);
                if (revision == null || level == null) {
                    continue; // uninstalled meanwhile
                }
                boolean fragment = (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
                int state = b.getState();
                if (fragment ? state == Bundle.INSTALLED : state != Bundle.ACTIVE && level.isPersistentlyStarted()) {
                    waiting.add(b.getSymbolicName() + " (" + stateName(state) + ")");
                }
            }
            return waiting.isEmpty() ? Optional.empty()
                    : Optional.of(NotReady.starting("bundles", names(waiting) + " not active yet"));
        };
    }

    /**
     * Every enabled DS component satisfied or active: a component that waits for a reference is not
     * ready yet, one whose activation failed is down. One that requires a configuration nobody gave is
     * not waited for (that is how it was configured).
     */
    static Check components(ServiceComponentRuntime scr) {
        return () -> {
            List<String> waiting = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                if (!scr.isComponentEnabled(d)) {
                    continue;
                }
                Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(d);
                if (configurations.isEmpty() && !"require".equals(d.configurationPolicy)) {
                    waiting.add(d.name + " (not created)");
                }
                for (ComponentConfigurationDTO c : configurations) {
                    if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                        String reference = c.unsatisfiedReferences == null || c.unsatisfiedReferences.length == 0
                                ? "" : " " + c.unsatisfiedReferences[0].name;
                        waiting.add(d.name + " (waits for reference" + reference + ")");
                    } else if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        failed.add(d.name);
                    }
                }
            }
            if (!failed.isEmpty()) {
                return Optional.of(NotReady.failed("components",
                        names(failed) + " failed to activate (see the gateway's log)"));
            }
            return waiting.isEmpty() ? Optional.empty()
                    : Optional.of(NotReady.starting("components", names(waiting)));
        };
    }

    /** Every registered {@link StartupStep} done, looked up in the service registry at each round. */
    static Check steps(BundleContext context) {
        return () -> {
            List<StartupStep> steps = new ArrayList<>();
            Collection<ServiceReference<StartupStep>> refs = context.getServiceReferences(StartupStep.class, null);
            for (ServiceReference<StartupStep> ref : refs) {
                StartupStep step = context.getService(ref);
                if (step != null) {
                    try {
                        steps.add(snapshot(step));
                    } finally {
                        context.ungetService(ref);
                    }
                }
            }
            return steps(steps);
        };
    }

    /** @return a step's name and state as they are now, kept after the service is released */
    private static StartupStep snapshot(StartupStep step) {
        String name = step.name();
        StartupStep.State state = step.state();
        return new StartupStep() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public State state() {
                return state;
            }
        };
    }

    /** @return the first failed step, else the first running one, else empty */
    static Optional<NotReady> steps(Collection<? extends StartupStep> steps) {
        StartupStep running = null;
        for (StartupStep step : steps) {
            StartupStep.State state = step.state();
            if (state == StartupStep.State.FAILED) {
                return Optional.of(NotReady.failed(step.name(), "see the gateway's log"));
            }
            if (state != StartupStep.State.DONE && running == null) {
                running = step;
            }
        }
        return running == null ? Optional.empty() : Optional.of(NotReady.starting(running.name(), null));
    }

    /** As {@link #steps(BundleContext)}, over steps given directly. */
    static Check steps(Supplier<? extends Collection<? extends StartupStep>> steps) {
        return () -> steps(steps.get());
    }

    /**
     * Karaf's SSH server listening on its port, read as {@code bin/warden} reads it: {@code sshPort} in
     * {@code etc/org.apache.karaf.shell.cfg}, 8101 when unset. Whether it listens is read from
     * {@code /proc/net/tcp}: a probe connection would make the SSH server log a WARN each time. Passes
     * when the SSH server is not installed, and when the port is 0 (any free port) or not a number,
     * which cannot be checked.
     */
    static Check shell(BooleanSupplier sshInstalled, Path shellConfig, ProcNetTcp tables) {
        return () -> {
            if (!sshInstalled.getAsBoolean()) {
                return Optional.empty();
            }
            int port = sshPort(shellConfig);
            if (port <= 0) {
                return Optional.empty();
            }
            return tables.listening(port) ? Optional.empty()
                    : Optional.of(NotReady.starting("shell", "nothing listens on the SSH port " + port + " yet"));
        };
    }

    /** @return the configured SSH port; 8101 when the file or key is missing; -1 when it is not a port number */
    static int sshPort(Path shellConfig) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(shellConfig, StandardCharsets.ISO_8859_1)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return DEFAULT_SSH_PORT;
        }
        String value = p.getProperty("sshPort");
        if (value == null || value.isBlank()) {
            return DEFAULT_SSH_PORT;
        }
        try {
            int port = Integer.parseInt(value.trim());
            return port >= 0 && port <= 65535 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean installed(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return true;
            }
        }
        return false;
    }

    private static String names(List<String> names) {
        String shown = String.join(", ", names.subList(0, Math.min(NAMES, names.size())));
        return names.size() > NAMES ? shown + " and " + (names.size() - NAMES) + " more" : shown;
    }

    private static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "UNINSTALLED";
        };
    }
}
