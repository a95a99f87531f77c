package org.mqttwarden.broker.lint;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One option line of a Mosquitto configuration, with the file and line it came from, so that every finding
 * can say where to look.
 *
 * @param file the file the line is in
 * @param line its 1-based line number
 * @param key the option name: the first space-separated token (Mosquitto splits on spaces only)
 * @param value the rest of the line with leading spaces and trailing whitespace removed, as Mosquitto reads
 *     string options; empty when there is none
 */
public record ConfigLine(Path file, int line, String key, String value) {

    public ConfigLine {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /** @return the value's first space-separated token, as Mosquitto reads booleans and numbers; may be empty */
    public String firstToken() {
        int space = value.indexOf(' ');
        return space < 0 ? value : value.substring(0, space);
    }

    /** @return {@code file:line}, as printed in findings */
    public String where() {
        return file + ":" + line;
    }
}
