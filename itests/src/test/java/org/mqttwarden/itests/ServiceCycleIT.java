package org.mqttwarden.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;

/**
 * No Warden component needs itself through references that Declarative Services binds while it activates.
 * Such a cycle fails one of its components at boot with an ERROR, but only when the components happen to
 * activate in one particular order (seen on 2 of 6 boots, never in a test run), so this test reads the
 * components' descriptions and does not wait for an unlucky boot: every reference is an edge from the component
 * to each Warden component offering the referenced service, except a reference taken as
 * {@link ComponentServiceObjects}, whose service is fetched only when used.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ServiceCycleIT extends WardenTestSupport {

    @Inject
    protected ServiceComponentRuntime scr;

    private record Edge(String to, String reference) {
    }

    @Test
    public void noWardenComponentDependsOnItselfThroughEagerReferences() throws Exception {
        // descriptions are known for started bundles only: wait (bounded) until the gateway's are all started
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<Bundle> warden = Arrays.stream(bundleContext.getBundles())
                    .filter(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith("warden-")).toList();
            return warden.size() >= 10 && warden.stream().allMatch(b -> b.getState() == Bundle.ACTIVE);
        });
        List<ComponentDescriptionDTO> components = new ArrayList<>();
        for (Bundle b : bundleContext.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("warden-")) {
                components.addAll(scr.getComponentDescriptionDTOs(b));
            }
        }
        assertTrue("the gateway's components are described: " + components.size(), components.size() > 10);
        Map<String, List<Edge>> graph = new LinkedHashMap<>();
        int lazy = 0;
        for (ComponentDescriptionDTO from : components) {
            List<Edge> edges = graph.computeIfAbsent(from.name, k -> new ArrayList<>());
            Class<?> type = bundleContext.getBundle(from.bundle.id).loadClass(from.implementationClass);
            for (ReferenceDTO ref : from.references) {
                if (takenAsServiceObjects(type, from, ref)) {
                    lazy++;
                    continue;
                }
                for (ComponentDescriptionDTO to : components) {
                    if (List.of(to.serviceInterfaces).contains(ref.interfaceName)) {
                        edges.add(new Edge(to.name, ref.name + " (" + ref.interfaceName + ")"));
                    }
                }
            }
        }
        assertTrue("the lockout guard and the alert detector take the event publisher as service objects",
                lazy >= 2);
        String cycle = findCycle(graph);
        assertFalse("A cycle of references bound at activation: " + cycle, cycle != null);
    }

    /** @return whether DS hands this reference over as {@link ComponentServiceObjects} (fetched only when used) */
    private static boolean takenAsServiceObjects(Class<?> type, ComponentDescriptionDTO component, ReferenceDTO ref) {
        if (ref.parameter != null) {
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (c.getParameterCount() == component.init) {
                    return c.getParameterTypes()[ref.parameter] == ComponentServiceObjects.class;
                }
            }
        }
        if (ref.field != null) {
            for (Class<?> t = type; t != null; t = t.getSuperclass()) {
                for (Field f : t.getDeclaredFields()) {
                    if (f.getName().equals(ref.field)) {
                        return f.getType() == ComponentServiceObjects.class;
                    }
                }
            }
        }
        if (ref.bind != null) {
            for (Class<?> t = type; t != null; t = t.getSuperclass()) {
                for (Method m : t.getDeclaredMethods()) {
                    if (m.getName().equals(ref.bind) && m.getParameterCount() > 0) {
                        return m.getParameterTypes()[0] == ComponentServiceObjects.class;
                    }
                }
            }
        }
        return false;
    }

    /** @return one cycle, written as {@code A -ref-> B -ref-> A}, or null when there is none */
    private static String findCycle(Map<String, List<Edge>> graph) {
        Map<String, Integer> state = new HashMap<>(); // 1 on the path, 2 done
        for (String start : graph.keySet()) {
            String found = visit(start, graph, state, new ArrayList<>());
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static String visit(String node, Map<String, List<Edge>> graph, Map<String, Integer> state,
            List<String> path) {
        Integer s = state.get(node);
        if (s != null && s == 2) {
            return null;
        }
        if (s != null && s == 1) {
            int from = path.indexOf(node);
            return String.join(" ", path.subList(from < 0 ? 0 : from, path.size())) + " " + node;
        }
        state.put(node, 1);
        path.add(node);
        for (Edge e : graph.getOrDefault(node, List.of())) {
            path.add("-" + e.reference() + "->");
            String found = visit(e.to(), graph, state, path);
            if (found != null) {
                return found;
            }
            path.remove(path.size() - 1);
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return null;
    }
}
