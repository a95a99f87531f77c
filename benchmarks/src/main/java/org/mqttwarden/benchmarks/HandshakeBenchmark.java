package org.mqttwarden.benchmarks;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.mqttwarden.crypto.session.Handshake;
import org.mqttwarden.crypto.session.HandshakeException;
import org.mqttwarden.crypto.session.Identity;
import org.mqttwarden.crypto.session.Peers;
import org.mqttwarden.crypto.session.Session;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full session handshake (issue 14, ENVELOPE.md section 10) in process, without a broker: the initiator's hello
 * (X25519 key pair, Ed25519 signature), the responder's answer (hello signature checked, X25519 key pair and
 * agreement, reply signed, HKDF-SHA256) and the initiator's finish (reply signature checked, agreement, HKDF), then
 * both sessions destroyed. Target: at most 5 ms. What the carriage over MQTT adds is the broker's round trip.
 *
 * <pre>java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) org.openjdk.jmh.Main HandshakeBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HandshakeBenchmark {

    private SecureRandom random;
    private Clock clock;
    private Identity device;
    private Identity gateway;
    private Peers peers;

    @Setup(Level.Trial)
    public void start() {
        random = new SecureRandom();
        clock = Clock.systemUTC();
        device = Identity.generate("device-1", random);
        gateway = Identity.generate("gateway", random);
        Map<String, byte[]> pinned = Map.of(device.id(), device.publicKey(), gateway.id(), gateway.publicKey());
        peers = id -> Optional.ofNullable(pinned.get(id));
    }

    @Benchmark
    public byte[] fullHandshake() throws HandshakeException {
        Handshake.Initiation initiation = Handshake.initiate(device, random, clock);
        Handshake.Response response = Handshake.respond(gateway, initiation.hello(), peers, random, clock);
        Session mine = initiation.finish(response.reply(), gateway.id(), peers);
        byte[] id = mine.id();
        mine.destroy();
        response.session().destroy();
        return id;
    }
}
