package org.mqttwarden.crypto.envelope;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;

/** Hands out the given byte strings in order, one per {@code nextBytes} call: for golden vectors only. */
@SuppressWarnings("serial")
final class FixedRandom extends SecureRandom {

    private final Deque<byte[]> chunks = new ArrayDeque<>();

    FixedRandom(String... hexChunks) {
        for (String hex : hexChunks) {
            chunks.add(HexFormat.of().parseHex(hex));
        }
    }

    @Override
    public void nextBytes(byte[] bytes) {
        byte[] next = chunks.poll();
        if (next == null || next.length != bytes.length) {
            throw new IllegalStateException("FixedRandom has no chunk of " + bytes.length + " bytes next");
        }
        System.arraycopy(next, 0, bytes, 0, bytes.length);
    }
}
