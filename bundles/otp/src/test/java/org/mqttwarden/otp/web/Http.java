package org.mqttwarden.otp.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;

/** A client of the recovery listener over real sockets (java.net.http, HTTP/1.1), as a script or browser is. */
final class Http {

    static final String JSON = "application/json";
    static final String FORM = "application/x-www-form-urlencoded";
    private static final Pattern TOKEN = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final Pattern COOKIE = Pattern.compile(CsrfTokens.COOKIE + "=([^;]+)");

    /** An answer. */
    record Answer(int status, Map<String, List<String>> headers, String body) {

        Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        /** @return the headers but {@code Date}, for comparing two answers */
        Map<String, List<String>> headersButDate() {
            return headers.entrySet().stream().filter(e -> !e.getKey().equalsIgnoreCase("date"))
                    .collect(Collectors.toMap(e -> e.getKey().toLowerCase(), Map.Entry::getValue));
        }

        /** @return the anti-forgery token of the page's forms */
        String token() {
            Matcher m = TOKEN.matcher(body);
            if (!m.find()) {
                throw new IllegalStateException("No token in the page");
            }
            return m.group(1);
        }

        /** @return the cookie this answer sets, if any */
        Optional<String> cookie() {
            return header("set-cookie").map(c -> {
                Matcher m = COOKIE.matcher(c);
                return m.find() ? m.group(1) : null;
            });
        }
    }

    private final HttpClient client;
    private final String base;

    Http(RecoveryServer server) {
        this("http://127.0.0.1:" + server.port(), HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build());
    }

    Http(String base, HttpClient client) {
        this.base = base;
        this.client = client;
    }

    static Http tls(RecoveryServer server, SSLContext trust) {
        return new Http("https://127.0.0.1:" + server.port(), HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).sslContext(trust).connectTimeout(Duration.ofSeconds(10))
                .build());
    }

    Answer get(String path, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers);
    }

    Answer post(String path, String contentType, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b, headers);
    }

    Answer method(String method, String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .method(method, BodyPublishers.ofString(body)));
    }

    Answer json(String path, String body) {
        return post(path, JSON, body);
    }

    /** @return a form posted with this cookie, the fields in their order */
    Answer form(String path, String cookie, Map<String, String> fields) {
        return post(path, FORM, encode(fields), "Cookie", CsrfTokens.COOKIE + "=" + cookie);
    }

    static String encode(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    static Map<String, String> fields(String... nameValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            m.put(nameValues[i], nameValues[i + 1]);
        }
        return m;
    }

    private Answer send(HttpRequest.Builder b, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = client.send(b.timeout(Duration.ofSeconds(20)).build(),
                    BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
