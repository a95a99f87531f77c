package org.mqttwarden.crypto.envelope;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** ENVELOPE.md, the specification, read by the tests that hold the code to it. */
final class Spec {

    private Spec() {
    }

    static String text() throws IOException {
        Path file = Path.of(System.getProperty("basedir", ".")).resolve("ENVELOPE.md");
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** @return the text between {@code <!-- begin -->} and {@code <!-- end -->} markers, code fences removed */
    static String between(String begin, String end) throws IOException {
        String text = text();
        int from = text.indexOf("<!-- " + begin + " -->");
        int to = text.indexOf("<!-- " + end + " -->", from);
        if (from < 0 || to < 0) {
            throw new IllegalStateException("ENVELOPE.md has no " + begin + " ... " + end + " block");
        }
        StringBuilder out = new StringBuilder();
        for (String line : text.substring(text.indexOf('\n', from) + 1, to).split("\n")) {
            if (!line.startsWith("```")) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** @return the line after {@code <!-- marker -->}, without backquotes */
    static String lineAfter(String marker) throws IOException {
        String text = text();
        int at = text.indexOf("<!-- " + marker + " -->");
        if (at < 0) {
            throw new IllegalStateException("ENVELOPE.md has no " + marker + " marker");
        }
        int start = text.indexOf('\n', at) + 1;
        return text.substring(start, text.indexOf('\n', start)).replace("`", "").trim();
    }
}
