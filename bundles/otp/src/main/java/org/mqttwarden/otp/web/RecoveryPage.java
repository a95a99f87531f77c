package org.mqttwarden.otp.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The recovery page, from the bundle's own {@code recovery.html} and {@code recovery.css}: plain forms that work
 * without JavaScript, a notice after each step. Placeholders {@code {{name}}} are filled in one pass, so nothing
 * filled in is read as a placeholder again; every value from a request is HTML-escaped.
 */
final class RecoveryPage {

    /** What a notice says and how it is shown. */
    enum Tone {
        /** A step went through: {@code role=status}. */
        OK,
        /** A step did not: {@code role=alert}. */
        ERROR
    }

    /**
     * A notice at the top of the page, focused when the page loads (so a screen reader reads it first).
     *
     * @param tone how it is shown
     * @param text the sentence, plain text
     * @param anchor where its link leads on the page ({@code reset-confirm}), or null for no link
     * @param linkText the link's words, or null
     */
    record Notice(Tone tone, String text, String anchor, String linkText) {

        static Notice ok(String text) {
            return new Notice(Tone.OK, text, null, null);
        }

        static Notice error(String text) {
            return new Notice(Tone.ERROR, text, null, null);
        }
    }

    private final String template;
    private final byte[] css;
    private final int minutes;
    private final boolean mailOff;

    /**
     * @param minutes how long a code is valid, as the page says
     * @param mailOff whether e-mail is not configured, which the page then says plainly
     * @throws IllegalStateException when the bundle lacks its page (a broken build)
     */
    RecoveryPage(int minutes, boolean mailOff) {
        this.template = new String(resource("recovery.html"), StandardCharsets.UTF_8);
        this.css = resource("recovery.css");
        this.minutes = minutes;
        this.mailOff = mailOff;
    }

    private static byte[] resource(String name) {
        try (InputStream in = RecoveryPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("The bundle lacks its resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the bundle's resource " + name, e);
        }
    }

    /** @return the stylesheet */
    byte[] css() {
        return css.clone();
    }

    /**
     * @param csrf the token every form carries
     * @param username the name to fill the username fields with, or null
     * @param notice what the last step came to, or null on a first visit
     * @return the page
     */
    String render(String csrf, String username, Notice notice) {
        Map<String, String> values = Map.of(
                "title", notice == null ? "" : (notice.tone() == Tone.OK ? "Done: " : "Problem: "),
                "notice", notice == null ? "" : notice(notice),
                "minutes", Integer.toString(minutes),
                "mailnote", mailOff ? "<p class=\"notice error\" role=\"note\">This gateway has no e-mail server"
                        + " configured, so no code can be sent by e-mail now. Ask your administrator.</p>" : "",
                "csrf", escape(csrf),
                "username", username == null ? "" : escape(username));
        StringBuilder out = new StringBuilder(template.length() + 512);
        int at = 0;
        while (true) {
            int open = template.indexOf("{{", at);
            int close = open < 0 ? -1 : template.indexOf("}}", open);
            if (close < 0) {
                out.append(template, at, template.length());
                return out.toString();
            }
            out.append(template, at, open);
            String name = template.substring(open + 2, close);
            String value = values.get(name);
            if (value == null) {
                throw new IllegalStateException("recovery.html has an unknown placeholder {{" + name + "}}");
            }
            out.append(value);
            at = close + 2;
        }
    }

    private static String notice(Notice n) {
        StringBuilder b = new StringBuilder();
        b.append("<div id=\"notice\" class=\"notice ").append(n.tone() == Tone.OK ? "ok\" role=\"status\""
                : "error\" role=\"alert\"").append(" tabindex=\"-1\" autofocus><p>").append(escape(n.text()));
        if (n.anchor() != null) {
            b.append(" <a href=\"#").append(escape(n.anchor())).append("\">").append(escape(n.linkText()))
                    .append("</a>");
        }
        return b.append("</p></div>").toString();
    }

    /** @return {@code s} safe in HTML text and in a quoted attribute value */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
