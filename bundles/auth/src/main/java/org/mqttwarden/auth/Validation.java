package org.mqttwarden.auth;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import org.mqttwarden.api.account.InvalidInputException;

/** Input rules for names, passwords and e-mail addresses, each failing with one clear sentence. */
final class Validation {

    static final int MAX_USERNAME_BYTES = 128;
    static final int MAX_PASSWORD_CHARS = 128;
    private static final Pattern ROLE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");

    private Validation() {
    }

    /** @return null when the username is acceptable, else the reason */
    static String usernameProblem(String username) {
        if (username == null || username.isEmpty()) {
            return "The username is empty.";
        }
        if (username.getBytes(StandardCharsets.UTF_8).length > MAX_USERNAME_BYTES) {
            return "The username is longer than " + MAX_USERNAME_BYTES + " bytes of UTF-8.";
        }
        for (int i = 0; i < username.length(); i++) {
            char c = username.charAt(i);
            if (Character.isISOControl(c)) {
                return "The username contains a control character.";
            }
            if (c == '+' || c == '#' || c == '/') {
                return "The username contains '" + c + "', which MQTT topics reserve.";
            }
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < username.length()
                    && Character.isLowSurrogate(username.charAt(++i)))) {
                return "The username is not valid Unicode.";
            }
        }
        if (!username.strip().equals(username)) {
            return "The username starts or ends with white space.";
        }
        return null;
    }

    static void requireUsername(String username) {
        String problem = usernameProblem(username);
        if (problem != null) {
            throw new InvalidInputException(problem);
        }
    }

    static void requireRoleName(String name) {
        if (name == null || !ROLE_NAME.matcher(name).matches()) {
            throw new InvalidInputException("A role name is 1 to 64 letters, digits, '.', '_' or '-', starting with a"
                    + " letter or digit: '" + name + "' is not.");
        }
    }

    /** A password chosen by a person: at least {@code minLength}, at most 128 characters. */
    static void requirePassword(String password, int minLength) {
        if (password == null || password.isEmpty()) {
            throw new InvalidInputException("The password is empty.");
        }
        int chars = password.codePointCount(0, password.length());
        if (chars > MAX_PASSWORD_CHARS) {
            throw new InvalidInputException("The password is longer than " + MAX_PASSWORD_CHARS + " characters.");
        }
        if (chars < minLength) {
            throw new InvalidInputException("The password must have at least " + minLength + " characters.");
        }
        if (password.indexOf('\0') >= 0) {
            throw new InvalidInputException("The password contains a NUL character.");
        }
    }

    /** @return whether a presented password is even possible (checked before any bcrypt) */
    static boolean plausiblePassword(String password) {
        return !password.isEmpty() && password.length() <= MAX_PASSWORD_CHARS * 2
                && password.codePointCount(0, password.length()) <= MAX_PASSWORD_CHARS;
    }

    static String requireEmail(String email) {
        if (email == null || email.isBlank()) {
            return null;
        }
        String e = email.strip();
        if (e.length() > 320 || !EMAIL.matcher(e).matches()) {
            throw new InvalidInputException("'" + email + "' is not an e-mail address.");
        }
        return e;
    }
}
