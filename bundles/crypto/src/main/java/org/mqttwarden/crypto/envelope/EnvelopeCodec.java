package org.mqttwarden.crypto.envelope;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;

import org.mqttwarden.crypto.MessageState;

/**
 * Seals a payload into the envelope ENVELOPE.md specifies and opens one again. The envelope is the whole MQTT payload
 * and needs nothing else (no MQTT 5 property) to be judged: the topic it was published on is authenticated as
 * associated data without travelling in it, so a copy moved to another topic fails.
 *
 * <p>{@link #open} parses strictly before any cryptography, allocates nothing an attacker's length field asks for
 * beyond the input it got, checks the tag in constant time before decrypting anything (v1: no padding oracle) and
 * never throws for what the payload contains: every refusal is a state and one reason.
 *
 * <p>Thread-safe. A codec seals with one version; it opens every version. The v2 nonce comes from this instance: a
 * 32-bit fixed field and a 64-bit counter, both starting at random values when the codec is made, the counter
 * advanced atomically per seal, so two seals by one codec never share a nonce (ENVELOPE.md, "Nonces"). Use one codec
 * per process for each sender rather than one per message.
 */
public final class EnvelopeCodec {

    /** Envelope magic, ASCII "MQWE". */
    static final byte[] MAGIC = {'M', 'Q', 'W', 'E'};
    /** Key ids are 1 .. 64 bytes of UTF-8. */
    public static final int MAX_KEY_ID_BYTES = 64;
    /** Sender ids are 1 .. 128 bytes of UTF-8. */
    public static final int MAX_SENDER_ID_BYTES = 128;
    /** The largest envelope read or written: MQTT's maximum packet size. */
    public static final int MAX_ENVELOPE_BYTES = 268_435_455;
    /** The largest topic: MQTT's limit for a UTF-8 string. */
    public static final int MAX_TOPIC_BYTES = 65_535;

    /** Magic, version, algorithm, key id length, sender id length, sequence number and timestamp. */
    static final int FIXED_HEADER_BYTES = 4 + 1 + 1 + 1 + 1 + 8 + 8;
    private static final int BLOCK = 16;

    private final EnvelopeVersion version;
    private final SecureRandom random;
    private final int noncePrefix;
    private final long nonceStart;
    private final AtomicLong sealed = new AtomicLong();

    /** A codec that seals v2 (AES-256-GCM), the default. */
    public EnvelopeCodec() {
        this(EnvelopeVersion.V2);
    }

    /** A codec that seals {@code version}. */
    public EnvelopeCodec(EnvelopeVersion version) {
        this(version, new SecureRandom());
    }

    /** @param random the source of v1 IVs and of the v2 nonce's starting point (tests pass a fixed one) */
    EnvelopeCodec(EnvelopeVersion version, SecureRandom random) {
        this.version = Objects.requireNonNull(version, "version");
        this.random = Objects.requireNonNull(random, "random");
        byte[] start = new byte[12];
        random.nextBytes(start);
        ByteBuffer b = ByteBuffer.wrap(start);
        this.noncePrefix = b.getInt();
        this.nonceStart = b.getLong();
    }

    /** @return the version this codec seals */
    public EnvelopeVersion version() {
        return version;
    }

    /**
     * Seals {@code plaintext} for {@code topic}.
     *
     * @param key the key named by {@code keyId}
     * @param keyId 1 .. 64 bytes of UTF-8, no control characters
     * @param senderId 1 .. 128 bytes of UTF-8, no control characters
     * @param sequence the sender's sequence number, 0 .. 2^63-1
     * @param timestampMillis ms since the epoch, 0 .. 2^63-1
     * @param topic the MQTT topic name it will be published on (no wildcards), 1 .. 65535 bytes of UTF-8
     * @param plaintext the payload; may be empty
     * @return the envelope, to be published as the whole payload
     * @throws IllegalArgumentException when an argument is outside these bounds (the message names the argument,
     *         never its value)
     * @throws IllegalStateException when this codec has sealed 2^63 messages and would have to repeat a nonce
     */
    public byte[] seal(EnvelopeKey key, String keyId, String senderId, long sequence, long timestampMillis,
            String topic, byte[] plaintext) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] kid = idBytes(keyId, MAX_KEY_ID_BYTES, "key id");
        byte[] sid = idBytes(senderId, MAX_SENDER_ID_BYTES, "sender id");
        if (sequence < 0) {
            throw new IllegalArgumentException("The sequence number must be between 0 and 2^63-1");
        }
        if (timestampMillis < 0) {
            throw new IllegalArgumentException("The timestamp must be between 0 and 2^63-1 ms since the epoch");
        }
        byte[] topicFrame = topicFrame(topic);
        if (topicFrame == null) {
            throw new IllegalArgumentException("The topic must be an MQTT topic name of 1 to 65535 bytes of UTF-8 "
                    + "without wildcards or NUL");
        }
        int headerLength = FIXED_HEADER_BYTES + kid.length + sid.length;
        int bodyLength = version == EnvelopeVersion.V1 ? (plaintext.length / BLOCK + 1) * BLOCK : plaintext.length;
        long total = (long) headerLength + version.ivLength() + bodyLength + version.tagLength();
        if (plaintext.length > MAX_ENVELOPE_BYTES || total > MAX_ENVELOPE_BYTES) {
            throw new IllegalArgumentException("The plaintext is too large for one MQTT payload");
        }
        byte[] out = new byte[(int) total];
        ByteBuffer b = ByteBuffer.wrap(out);
        b.put(MAGIC).put((byte) version.id()).put((byte) version.algorithm());
        b.put((byte) kid.length).put(kid).put((byte) sid.length).put(sid);
        b.putLong(sequence).putLong(timestampMillis);
        try {
            if (version == EnvelopeVersion.V1) {
                sealV1(key, out, headerLength, topicFrame, plaintext);
            } else {
                sealV2(key, out, headerLength, topicFrame, plaintext);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Sealing failed in the JCA provider", e);
        }
        return out;
    }

    private void sealV1(EnvelopeKey key, byte[] out, int h, byte[] topicFrame, byte[] plaintext)
            throws GeneralSecurityException {
        byte[] iv = new byte[BLOCK];
        random.nextBytes(iv);
        System.arraycopy(iv, 0, out, h, BLOCK);
        Cipher cbc = Primitives.cbc();
        cbc.init(Cipher.ENCRYPT_MODE, key.v1Encryption(), new IvParameterSpec(iv));
        int ct = cbc.doFinal(plaintext, 0, plaintext.length, out, h + BLOCK);
        int macEnd = h + BLOCK + ct;
        Mac mac = Primitives.hmacSha256();
        mac.init(key.v1Mac());
        mac.update(out, 0, h);
        mac.update(topicFrame);
        mac.update(out, h, BLOCK + ct);
        mac.doFinal(out, macEnd);
    }

    private void sealV2(EnvelopeKey key, byte[] out, int h, byte[] topicFrame, byte[] plaintext)
            throws GeneralSecurityException {
        long n = sealed.getAndIncrement();
        if (n < 0) {
            sealed.set(Long.MIN_VALUE);
            throw new IllegalStateException("This codec has sealed 2^63 messages; make a new one to get new nonces");
        }
        byte[] nonce = ByteBuffer.allocate(12).putInt(noncePrefix).putLong(nonceStart + n).array();
        System.arraycopy(nonce, 0, out, h, nonce.length);
        Cipher gcm = Primitives.gcm();
        gcm.init(Cipher.ENCRYPT_MODE, key.v2Encryption(), new GCMParameterSpec(128, nonce));
        gcm.updateAAD(out, 0, h);
        gcm.updateAAD(topicFrame);
        gcm.doFinal(plaintext, 0, plaintext.length, out, h + nonce.length);
    }

    /**
     * Opens an envelope received on {@code topic}. Never throws for anything in {@code envelope}.
     *
     * @param keys finds the key the envelope names
     * @param topic the topic the payload arrived on
     * @param envelope the whole payload
     * @return OK with header and plaintext; MALFORMED when it is not an envelope this library reads (or the topic is
     *         not a topic name); UNKNOWN_KEY when {@code keys} has no key of its id; TAMPERED when its tag does not
     *         verify for this topic, header and body
     */
    public Opened open(KeyLookup keys, String topic, byte[] envelope) {
        Objects.requireNonNull(keys, "keys");
        if (envelope == null) {
            return malformed("no payload");
        }
        int len = envelope.length;
        if (len > MAX_ENVELOPE_BYTES) {
            return malformed("longer than the largest MQTT payload");
        }
        if (len < 7) {
            return malformed("shorter than the envelope's fixed start");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (envelope[i] != MAGIC[i]) {
                return malformed("not an envelope (wrong magic)");
            }
        }
        EnvelopeVersion v = EnvelopeVersion.byId(envelope[4] & 0xFF);
        if (v == null) {
            return malformed("unknown envelope version");
        }
        if ((envelope[5] & 0xFF) != v.algorithm()) {
            return malformed("algorithm does not belong to the envelope version");
        }
        int p = 6;
        int kidLength = envelope[p++] & 0xFF;
        if (kidLength < 1 || kidLength > MAX_KEY_ID_BYTES) {
            return malformed("key id length outside 1..64");
        }
        if (len - p < kidLength + 1) {
            return malformed("truncated in the key id");
        }
        String keyId = idString(envelope, p, kidLength);
        if (keyId == null) {
            return malformed("key id is not UTF-8 text without control characters");
        }
        p += kidLength;
        int sidLength = envelope[p++] & 0xFF;
        if (sidLength < 1 || sidLength > MAX_SENDER_ID_BYTES) {
            return malformed("sender id length outside 1..128");
        }
        if (len - p < sidLength + 16) {
            return malformed("truncated in the sender id, sequence number or timestamp");
        }
        String senderId = idString(envelope, p, sidLength);
        if (senderId == null) {
            return malformed("sender id is not UTF-8 text without control characters");
        }
        p += sidLength;
        ByteBuffer b = ByteBuffer.wrap(envelope, p, 16);
        long sequence = b.getLong();
        long timestamp = b.getLong();
        if (sequence < 0) {
            return malformed("sequence number above 2^63-1");
        }
        if (timestamp < 0) {
            return malformed("timestamp above 2^63-1");
        }
        int h = p + 16;
        int body = len - h - v.ivLength() - v.tagLength();
        if (body < 0) {
            return malformed("truncated in the IV, ciphertext or tag");
        }
        if (v == EnvelopeVersion.V1 && (body == 0 || body % BLOCK != 0)) {
            return malformed("v1 ciphertext is not a positive whole number of AES blocks");
        }
        byte[] topicFrame = topicFrame(topic);
        if (topicFrame == null) {
            return malformed("the topic is not an MQTT topic name");
        }
        Optional<EnvelopeKey> found = keys.find(keyId);
        if (found == null || found.isEmpty()) {
            return Opened.refused(MessageState.UNKNOWN_KEY, "no key with the envelope's key id");
        }
        EnvelopeHeader header = new EnvelopeHeader(v, keyId, senderId, sequence, timestamp);
        try {
            return v == EnvelopeVersion.V1
                    ? openV1(found.get(), header, envelope, h, body, topicFrame)
                    : openV2(found.get(), header, envelope, h, body, topicFrame);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Opening failed in the JCA provider", e);
        }
    }

    private static Opened openV1(EnvelopeKey key, EnvelopeHeader header, byte[] env, int h, int body,
            byte[] topicFrame) throws GeneralSecurityException {
        Mac mac = Primitives.hmacSha256();
        mac.init(key.v1Mac());
        mac.update(env, 0, h);
        mac.update(topicFrame);
        mac.update(env, h, BLOCK + body);
        byte[] expected = mac.doFinal();
        byte[] tag = new byte[32];
        System.arraycopy(env, h + BLOCK + body, tag, 0, 32);
        if (!MessageDigest.isEqual(expected, tag)) {
            return Opened.refused(MessageState.TAMPERED, "tag does not verify (payload, header or topic altered)");
        }
        Cipher cbc = Primitives.cbc();
        cbc.init(Cipher.DECRYPT_MODE, key.v1Encryption(), new IvParameterSpec(env, h, BLOCK));
        try {
            return Opened.ok(header, cbc.doFinal(env, h + BLOCK, body));
        } catch (BadPaddingException e) {
            // only a holder of the key can get here: its MAC verified
            return malformed("authentic v1 envelope with invalid padding");
        }
    }

    private static Opened openV2(EnvelopeKey key, EnvelopeHeader header, byte[] env, int h, int body,
            byte[] topicFrame) throws GeneralSecurityException {
        Cipher gcm = Primitives.gcm();
        gcm.init(Cipher.DECRYPT_MODE, key.v2Encryption(), new GCMParameterSpec(128, env, h, 12));
        gcm.updateAAD(env, 0, h);
        gcm.updateAAD(topicFrame);
        try {
            return Opened.ok(header, gcm.doFinal(env, h + 12, body + 16));
        } catch (AEADBadTagException e) {
            return Opened.refused(MessageState.TAMPERED, "tag does not verify (payload, header or topic altered)");
        }
    }

    private static Opened malformed(String reason) {
        return Opened.refused(MessageState.MALFORMED, reason);
    }

    /** @return the topic as a 2-byte big-endian length and its UTF-8, or null when it is not a topic name */
    static byte[] topicFrame(String topic) {
        if (topic == null || topic.isEmpty() || topic.length() > MAX_TOPIC_BYTES) {
            return null;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == 0) {
                return null;
            }
        }
        byte[] utf8 = strictUtf8(topic);
        if (utf8 == null || utf8.length > MAX_TOPIC_BYTES) {
            return null;
        }
        byte[] frame = new byte[2 + utf8.length];
        frame[0] = (byte) (utf8.length >>> 8);
        frame[1] = (byte) utf8.length;
        System.arraycopy(utf8, 0, frame, 2, utf8.length);
        return frame;
    }

    private static byte[] idBytes(String id, int max, String what) {
        byte[] utf8 = id == null || !noControls(id) ? null : strictUtf8(id);
        if (utf8 == null || utf8.length < 1 || utf8.length > max) {
            throw new IllegalArgumentException("The " + what + " must be 1 to " + max
                    + " bytes of UTF-8 without control characters");
        }
        return utf8;
    }

    private static String idString(byte[] bytes, int offset, int length) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, length))
                    .toString();
            return noControls(s) ? s : null;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static byte[] strictUtf8(String s) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean noControls(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return false;
            }
        }
        return true;
    }
}
