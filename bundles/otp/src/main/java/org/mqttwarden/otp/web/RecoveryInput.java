package org.mqttwarden.otp.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.mqttwarden.api.otp.OtpPurpose;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/**
 * What a recovery request carries, parsed strictly from a JSON object (the API) or a form (the page): strict
 * UTF-8, no duplicate field, only strings. The API refuses a field it does not know (a typo such as
 * {@code pasword} is an error, not an ignored field); a form may carry others, as browsers and their extensions
 * may add some. Every field may be null (absent); the {@code require...} methods say what a step needs.
 *
 * @param username the account's name
 * @param purpose {@code verify}, {@code reset} or {@code unlock}
 * @param code the one-time code as typed
 * @param password the new password
 * @param repeat the new password typed again (forms only)
 * @param csrf the form's anti-forgery token (forms only)
 */
record RecoveryInput(String username, String purpose, String code, String password, String repeat, String csrf) {

    static final String JSON = "application/json";
    static final String FORM = "application/x-www-form-urlencoded";
    /** The longest account name warden-auth accepts, in bytes of UTF-8. */
    static final int MAX_USERNAME_BYTES = 128;
    /** Longer than any code; a longer one is refused before it reaches the code store. */
    static final int MAX_CODE = 16;

    private static final Set<String> JSON_FIELDS = Set.of("username", "purpose", "code", "password");
    private static final JsonFactory JSON_FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(4).maxStringLength(4096)
                    .maxNumberLength(20).build())
            .build();

    @Override
    public String toString() {
        return "RecoveryInput[username=" + username + ", purpose=" + purpose + ", code=" + hidden(code)
                + ", password=" + hidden(password) + "]";
    }

    private static String hidden(String s) {
        return s == null ? "null" : "(hidden)";
    }

    /** @return the media type of a Content-Type header, lower case without parameters; "" when absent */
    static String mediaType(String contentType) {
        return contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }

    /** @throws BadInput 400 for anything but one JSON object of string fields this API knows */
    static RecoveryInput json(byte[] body) throws BadInput {
        String text = utf8(body, "The JSON body is not valid UTF-8.");
        Map<String, String> values = new HashMap<>();
        try (JsonParser p = JSON_FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadInput("The body is not a JSON object.");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!JSON_FIELDS.contains(name)) {
                    throw new BadInput("Unknown field '" + printable(name) + "': the fields are username, purpose,"
                            + " code and password.");
                }
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw new BadInput("'" + name + "' must be a string.");
                }
                String value = p.getText();
                if (!wellFormed(value)) {
                    throw new BadInput("'" + name + "' is not valid Unicode.");
                }
                values.put(name, value);
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new BadInput("The body is not one JSON object.");
            }
        } catch (StreamConstraintsException e) {
            throw new BadInput("The JSON body exceeds a limit.");
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInput("The body is not valid JSON.");
        }
        return of(values);
    }

    /** @throws BadInput 400 for a malformed escape, invalid UTF-8 or a field given twice */
    static RecoveryInput form(byte[] body) throws BadInput {
        Map<String, String> values = new HashMap<>();
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '&', start);
            if (end > start) {
                int eq = indexOf(body, (byte) '=', start);
                if (eq > end) {
                    eq = end;
                }
                String name = decode(body, start, eq);
                String value = eq < end ? decode(body, eq + 1, end) : "";
                if (values.putIfAbsent(name, value) != null) {
                    throw new BadInput("The form field '" + printable(name) + "' appears twice.");
                }
            }
            start = end + 1;
        }
        return of(values);
    }

    private static RecoveryInput of(Map<String, String> v) {
        return new RecoveryInput(v.get("username"), v.get("purpose"), v.get("code"), v.get("password"),
                v.get("repeat"), v.get("csrf"));
    }

    /**
     * @return the username without white space around it (no account name has any)
     * @throws BadInput when it is missing, empty, longer than {@value #MAX_USERNAME_BYTES} bytes or holds a control
     *     character: rules of every account name, so the answer tells nothing about any account
     */
    String requireUsername() throws BadInput {
        String u = username == null ? "" : username.strip();
        if (u.isEmpty()) {
            throw new BadInput("The username is missing.");
        }
        if (u.getBytes(StandardCharsets.UTF_8).length > MAX_USERNAME_BYTES || u.chars()
                .anyMatch(Character::isISOControl)) {
            throw new BadInput("The username is not a possible account name (at most " + MAX_USERNAME_BYTES
                    + " bytes, no control characters).");
        }
        return u;
    }

    /** @return the purpose of a request for a code: reset or unlock (an invitation's code comes from an admin) */
    OtpPurpose requireRequestPurpose() throws BadInput {
        OtpPurpose p = requirePurpose();
        if (p == OtpPurpose.VERIFY) {
            throw new BadInput("The purpose of a request must be reset or unlock: an invitation's code comes with"
                    + " the invitation.");
        }
        return p;
    }

    /** @return the purpose: verify, reset or unlock */
    OtpPurpose requirePurpose() throws BadInput {
        if (purpose == null || purpose.isEmpty()) {
            throw new BadInput("The purpose is missing: it is verify, reset or unlock.");
        }
        try {
            return OtpPurpose.of(purpose);
        } catch (IllegalArgumentException e) {
            throw new BadInput("The purpose must be verify, reset or unlock.");
        }
    }

    /** @return the code as typed, white space (a copied "1234 5678") left out */
    String requireCode() throws BadInput {
        String c = code == null ? "" : code.replaceAll("\\s", "");
        if (c.isEmpty()) {
            throw new BadInput("The code is missing.");
        }
        if (c.length() > MAX_CODE) {
            throw new BadInput("The code is longer than any code.");
        }
        return c;
    }

    /** @return the new password, checked against the policy only by the service (it knows the policy) */
    String requirePassword() throws BadInput {
        if (password == null || password.isEmpty()) {
            throw new BadInput("The new password is missing.");
        }
        return password;
    }

    private static String utf8(byte[] bytes, String problem) throws BadInput {
        try {
            // strictly: no overlong forms, no encoded surrogates, no guessing of UTF-16
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadInput(problem);
        }
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
    private static String decode(byte[] b, int from, int to) throws BadInput {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '+') {
                out.write(' ');
            } else if (c == '%') {
                if (i + 2 >= to) {
                    throw new BadInput("A form field has a truncated %-escape.");
                }
                int hi = Character.digit(b[i + 1], 16);
                int lo = Character.digit(b[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    throw new BadInput("A form field has a malformed %-escape.");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        return utf8(out.toByteArray(), "A form field is not valid UTF-8.");
    }

    /** @return false when the string holds a lone surrogate (possible through JSON \\u escapes) */
    private static boolean wellFormed(String s) {
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

    /** @return a field name fit to repeat in an answer: printable ASCII, at most 32 characters */
    private static String printable(String name) {
        String s = name.codePoints().limit(32).map(c -> c >= 0x20 && c < 0x7f ? c : '?')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return name.length() > 32 ? s + "..." : s;
    }
}
