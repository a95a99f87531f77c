package org.mqttwarden.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/**
 * The parameters go-auth sends, parsed strictly from either encoding it uses: a JSON object
 * ({@code application/json}, its default) or a form ({@code application/x-www-form-urlencoded}).
 *
 * <p>go-auth sends only strings, and {@code acc} as a JSON number (a decimal string in a form).
 * Anything else (another type, a duplicate key, invalid UTF-8, a malformed escape) is a
 * {@link BadRequest}.
 *
 * @param username {@code username}, or null when absent
 * @param password {@code password}, or null when absent
 * @param clientId {@code clientid}, or null when absent
 * @param topic {@code topic}, or null when absent
 * @param acc {@code acc}, or -1 when absent
 */
record GoAuthParams(String username, String password, String clientId, String topic, long acc) {

    static final String JSON = "application/json";
    static final String FORM = "application/x-www-form-urlencoded";

    private static final JsonFactory JSON_FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxStringLength(8192)
                    .maxNumberLength(20).build())
            .build();

    /**
     * @param contentType the request's Content-Type header, may be null
     * @throws BadRequest 415 for another content type, 400 for a malformed body
     */
    static GoAuthParams parse(String contentType, byte[] body) throws BadRequest {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (type.equals(JSON)) {
            return json(body);
        }
        if (type.equals(FORM)) {
            return form(body);
        }
        throw new BadRequest(415, "Content-Type must be " + JSON + " or " + FORM);
    }

    static GoAuthParams json(byte[] body) throws BadRequest {
        String text;
        try {
            // strictly, before Jackson: it takes overlong forms (C0 AF for '/') and guesses UTF-16/32
            text = strictUtf8(body);
        } catch (CharacterCodingException e) {
            throw new BadRequest("the JSON body is not valid UTF-8");
        }
        Map<String, Object> values = new HashMap<>();
        try (JsonParser p = JSON_FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadRequest("the body is not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "username", "password", "clientid", "topic" -> {
                        if (v != JsonToken.VALUE_STRING) {
                            throw new BadRequest("'" + name + "' must be a string");
                        }
                        values.put(name, p.getText());
                    }
                    case "acc" -> {
                        if (v != JsonToken.VALUE_NUMBER_INT) {
                            throw new BadRequest("'acc' must be an integer");
                        }
                        values.put(name, p.getLongValue());
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new BadRequest("the body is not one JSON object");
            }
        } catch (StreamConstraintsException e) {
            throw new BadRequest("the JSON body exceeds a limit");
        } catch (IOException | IllegalArgumentException e) {
            throw new BadRequest("the body is not valid JSON");
        }
        for (String s : new String[] {"username", "password", "clientid", "topic"}) {
            Object v = values.get(s);
            if (v != null && !isWellFormed((String) v)) {
                throw new BadRequest("'" + s + "' is not valid Unicode");
            }
        }
        return of(values);
    }

    static GoAuthParams form(byte[] body) throws BadRequest {
        Map<String, Object> values = new HashMap<>();
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '&', start);
            if (end > start) {
                int eq = indexOf(body, (byte) '=', start);
                if (eq < 0 || eq > end) {
                    eq = end;
                }
                String name = decode(body, start, eq);
                String value = eq < end ? decode(body, eq + 1, end) : "";
                if (values.containsKey(name)) {
                    throw new BadRequest("'" + name + "' appears twice");
                }
                if (name.equals("acc")) {
                    try {
                        values.put(name, Long.parseLong(value));
                    } catch (NumberFormatException e) {
                        throw new BadRequest("'acc' must be an integer");
                    }
                } else {
                    values.put(name, value);
                }
            }
            start = end + 1;
        }
        return of(values);
    }

    private static GoAuthParams of(Map<String, Object> v) {
        Object acc = v.get("acc");
        return new GoAuthParams((String) v.get("username"), (String) v.get("password"), (String) v.get("clientid"),
                (String) v.get("topic"), acc == null ? -1 : (Long) acc);
    }

    private static int indexOf(byte[] b, byte c, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return b.length;
    }

    /** Percent-decodes {@code b[from, to)} ('+' is a space) as strict UTF-8. */
    private static String decode(byte[] b, int from, int to) throws BadRequest {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '+') {
                out.write(' ');
            } else if (c == '%') {
                if (i + 2 >= to) {
                    throw new BadRequest("a form field has a truncated %-escape");
                }
                int hi = Character.digit(b[i + 1], 16);
                int lo = Character.digit(b[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    throw new BadRequest("a form field has a malformed %-escape");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        try {
            return strictUtf8(out.toByteArray());
        } catch (CharacterCodingException e) {
            throw new BadRequest("a form field is not valid UTF-8");
        }
    }

    /** Decodes UTF-8, refusing malformed and overlong sequences and encoded surrogates. */
    private static String strictUtf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }

    /** @return false when the string holds a lone surrogate (possible through JSON \\u escapes) */
    private static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
