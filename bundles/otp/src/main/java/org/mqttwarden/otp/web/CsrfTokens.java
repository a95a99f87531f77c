package org.mqttwarden.otp.web;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Anti-forgery tokens of the page's forms: the browser holds a random value in a {@code SameSite=Strict} cookie,
 * and every form carries, in a hidden field, an HMAC of that value under a key only this listener knows. A form
 * posted from another site lacks the cookie (SameSite) and cannot compute the token for a cookie it plants (no
 * key), so both must fail before a form is acted on. The key is drawn anew at every start: a page served before a
 * restart asks to be reloaded, nothing else.
 */
final class CsrfTokens {

    /** The cookie's name. */
    static final String COOKIE = "warden-recovery";
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final SecureRandom random;

    CsrfTokens(SecureRandom random) {
        this.random = random;
        byte[] k = new byte[32];
        random.nextBytes(k);
        this.key = new SecretKeySpec(k, "HmacSHA256");
    }

    /** @return a new cookie value: 256 random bits, base64url */
    String newCookie() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return B64.encodeToString(b);
    }

    /** @return whether {@code cookie} has the form of a value {@link #newCookie()} makes */
    static boolean wellFormed(String cookie) {
        return cookie != null && VALUE.matcher(cookie).matches();
    }

    /** @return the token the forms of a page for {@code cookie} carry */
    String tokenFor(String cookie) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return B64.encodeToString(mac.doFinal(("warden-recovery-form:" + cookie)
                    .getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** @return whether {@code token} is the one for {@code cookie}, compared in constant time */
    boolean valid(String cookie, String token) {
        if (!wellFormed(cookie) || token == null || token.length() > 64) {
            return false;
        }
        return MessageDigest.isEqual(tokenFor(cookie).getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII));
    }
}
