package org.mqttwarden.itests;

import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;

import javax.inject.Inject;
import javax.security.auth.Subject;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.framework.BundleContext;

/** Boots the Warden Karaf assembly (the tar.gz this build made) with random ports. */
public abstract class WardenTestSupport {

    /** Chosen in the test JVM; the probe inside the container reads it back from a system property. */
    static final int HTTP_PORT = Integer.getInteger("warden.itest.http.port", freePort());
    static final int SSH_PORT = Integer.getInteger("warden.itest.ssh.port", freePort());
    static final int SSH_PORT_IN_CONTAINER = SSH_PORT;
    /** warden-otp's recovery listener (9190 by default), so that a gateway running beside the tests does not clash. */
    static final int OTP_HTTP_PORT = Integer.getInteger("warden.itest.otp.http.port", freePort());

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected SessionFactory sessionFactory;

    @Configuration
    public Option[] config() {
        String repo = System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository");
        String version = System.getProperty("warden.version");
        String karafHome = "lib/";
        return new Option[] {
            karafDistributionConfiguration()
                    .frameworkUrl(maven("org.mqttwarden", "warden-karaf-assembly", version).type("tar.gz"))
                    .name("MQTT Warden").unpackDirectory(new File("target/exam")).useDeployFolder(false),
            configureConsole().ignoreLocalConsole(),
            logLevel(LogLevel.INFO),
            editConfigurationFilePut("etc/org.mqttwarden.http.cfg", "port", Integer.toString(HTTP_PORT)),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(SSH_PORT)),
            editConfigurationFilePut("etc/org.mqttwarden.otp.cfg", "http.port", Integer.toString(OTP_HTTP_PORT)),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository", repo),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.defaultRepositories",
                    "file:" + repo + "@id=local@snapshots"),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories", ""),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.offline", "true"),
            systemProperty("warden.itest.http.port").value(Integer.toString(HTTP_PORT)),
            systemProperty("warden.itest.ssh.port").value(Integer.toString(SSH_PORT)),
            systemProperty("warden.itest.otp.http.port").value(Integer.toString(OTP_HTTP_PORT)),
            mavenBundle("org.awaitility", "awaitility", System.getProperty("awaitility.version")),
            mavenBundle("org.hamcrest", "hamcrest", "2.1"),
            vmOption("-Xmx256m"),
            vmOption("--add-reads=java.xml=java.logging"),
            vmOption("--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED"),
            vmOption("--patch-module"),
            vmOption("java.base=" + karafHome + "endorsed/org.apache.karaf.specs.locator-4.4.10.jar"),
            vmOption("--patch-module"),
            vmOption("java.xml=" + karafHome + "endorsed/org.apache.karaf.specs.java.xml-4.4.10.jar"),
            vmOption("--add-opens"), vmOption("java.base/java.security=ALL-UNNAMED"),
            vmOption("--add-opens"), vmOption("java.base/java.net=ALL-UNNAMED"),
            vmOption("--add-opens"), vmOption("java.base/java.lang=ALL-UNNAMED"),
            vmOption("--add-opens"), vmOption("java.base/java.util=ALL-UNNAMED"),
            vmOption("--add-opens"), vmOption("java.naming/javax.naming.spi=ALL-UNNAMED"),
            vmOption("--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED"),
            vmOption("--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED"),
            vmOption("--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED"),
            vmOption("--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED"),
            vmOption("--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED"),
        };
    }

    /**
     * Runs a shell command as a logged-in shell user with the given roles would (command ACLs apply),
     * returning what it printed; failures propagate.
     */
    protected String shellAs(String command, String... roles) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Subject subject = new Subject();
        subject.getPrincipals().add(new UserPrincipal("itest"));
        for (String role : roles) {
            subject.getPrincipals().add(new RolePrincipal(role));
        }
        try {
            Subject.doAs(subject, (PrivilegedExceptionAction<Object>) () -> {
                Session session = sessionFactory.create(InputStream.nullInputStream(), print, print);
                try {
                    return session.execute(command);
                } finally {
                    session.close();
                }
            });
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Runs a shell command as an admin. */
    protected String shell(String command) throws Exception {
        return shellAs(command, "admin", "viewer");
    }

    /** A response: status and body. */
    protected record Answer(int status, String body) {
    }

    /** POSTs a body to the Warden HTTP backend as go-auth does. */
    protected static Answer post(String path, String contentType, String body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + HTTP_PORT + path).openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setConnectTimeout(2000);
        c.setReadTimeout(10000);
        c.setRequestProperty("Content-Type", contentType);
        try (OutputStream os = c.getOutputStream()) {
            os.write(body.getBytes(StandardCharsets.UTF_8));
        }
        return read(c);
    }

    protected static Answer get(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + HTTP_PORT + path).openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(10000);
        return read(c);
    }

    private static Answer read(HttpURLConnection c) throws IOException {
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return new Answer(status, body);
    }

    protected static String userBody(String user, String password) {
        return "{\"clientid\":\"c-" + user + "\",\"password\":\"" + password + "\",\"username\":\"" + user + "\"}";
    }

    protected static String aclBody(String user, String topic, int acc) {
        return "{\"acc\":" + acc + ",\"clientid\":\"c-" + user + "\",\"topic\":\"" + topic + "\",\"username\":\""
                + user + "\"}";
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
