package org.mqttwarden.benchmarks;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.mqttwarden.crypto.envelope.EnvelopeCodec;
import org.mqttwarden.crypto.envelope.EnvelopeKey;
import org.mqttwarden.crypto.envelope.EnvelopeVersion;
import org.mqttwarden.crypto.envelope.KeyLookup;
import org.mqttwarden.crypto.envelope.Opened;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sealing and opening warden-crypto envelopes (issue 14), in process: {@code v1} (AES-128-CBC + HMAC-SHA256) and
 * {@code v2} (AES-256-GCM) at the message sizes of Table 4 of the ESA secure-MQTT paper (8 to 256 bytes) and 4 KiB.
 * Keys are derived once per codec and key (HKDF is not in the measured path, as it is not per message); each seal
 * takes a fresh IV/nonce and the next sequence number; an open checks the tag and decrypts (the replay window is
 * measured apart). Compare with {@code openssl speed -evp} on the same machine (BENCHMARKS.md).
 *
 * <pre>java -cp ... org.openjdk.jmh.Main EnvelopeBenchmark -f 2 -wi 3 -i 5</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class EnvelopeBenchmark {

    private static final String TOPIC = "plant/line1/sensor7/temperature";

    @Param({"V1", "V2"})
    EnvelopeVersion version;

    @Param({"8", "16", "32", "64", "128", "256", "4096"})
    int size;

    private EnvelopeCodec codec;
    private EnvelopeKey key;
    private KeyLookup keys;
    private byte[] plaintext;
    private byte[] sealed;
    private long sequence;

    @Setup(Level.Trial)
    public void start() {
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[EnvelopeKey.LENGTH];
        random.nextBytes(secret);
        key = EnvelopeKey.of(secret);
        keys = id -> "k1".equals(id) ? Optional.of(key) : Optional.empty();
        codec = new EnvelopeCodec(version);
        plaintext = new byte[size];
        random.nextBytes(plaintext);
        sealed = codec.seal(key, "k1", "plc-7", sequence++, System.currentTimeMillis(), TOPIC, plaintext);
        if (!codec.open(keys, TOPIC, sealed).isOk()) {
            throw new IllegalStateException("the benchmark's envelope does not open");
        }
    }

    @Benchmark
    public byte[] seal() {
        return codec.seal(key, "k1", "plc-7", sequence++, 1_764_000_000_000L, TOPIC, plaintext);
    }

    @Benchmark
    public Opened open() {
        return codec.open(keys, TOPIC, sealed);
    }

    @Benchmark
    public Opened sealAndOpen() {
        return codec.open(keys, TOPIC, codec.seal(key, "k1", "plc-7", sequence++, 1_764_000_000_000L, TOPIC,
                plaintext));
    }
}
