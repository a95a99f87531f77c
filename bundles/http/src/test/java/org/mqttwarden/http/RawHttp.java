package org.mqttwarden.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/1.1 connection over a plain socket, writing requests byte for byte as Go's net/http
 * client (go-auth's) writes them, or any bytes at all, and reading the answers back.
 */
final class RawHttp implements AutoCloseable {

    /** An answer as read off the wire; header names in lower case. */
    record Response(int status, Map<String, String> headers, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int port;

    private RawHttp(int port) throws IOException {
        this.port = port;
        this.socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawHttp connect(int port) throws IOException {
        return new RawHttp(port);
    }

    /** @param millis how long a read waits for the server before failing (10 s unless set) */
    void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** The head Go's client sends before a body of {@code length} bytes. */
    String head(String method, String path, String contentType, long length) {
        StringBuilder h = new StringBuilder();
        h.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        h.append("Host: 127.0.0.1:").append(port).append("\r\n");
        h.append("User-Agent: Go-http-client/1.1\r\n");
        h.append("Content-Length: ").append(length).append("\r\n");
        if (contentType != null) {
            h.append("Content-Type: ").append(contentType).append("\r\n");
        }
        h.append("Accept-Encoding: gzip\r\n\r\n");
        return h.toString();
    }

    /** Sends a request as go-auth does and reads its answer. */
    Response send(String method, String path, String contentType, byte[] body) throws IOException {
        write(concat(head(method, path, contentType, body.length).getBytes(StandardCharsets.US_ASCII), body));
        return read();
    }

    Response send(String method, String path, String contentType, String body) throws IOException {
        return send(method, path, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends a request as go-auth's maintained fork does with {@code auth_opt_http_header_*} lines: the
     * same head with the extra header lines ({@code "Name: value"}) before the blank line.
     */
    Response sendWithHeaders(String method, String path, String contentType, String body, String... headers)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = head(method, path, contentType, bytes.length);
        StringBuilder h = new StringBuilder(head.substring(0, head.length() - 2));
        for (String header : headers) {
            h.append(header).append("\r\n");
        }
        h.append("\r\n");
        write(concat(h.toString().getBytes(StandardCharsets.ISO_8859_1), bytes));
        return read();
    }

    /** Sends a body in chunks of {@code chunkSize} bytes (Transfer-Encoding: chunked) and reads the answer. */
    Response sendChunked(String path, String contentType, byte[] body, int chunkSize) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUser-Agent: Go-http-client/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: " + contentType
                + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < body.length; i += chunkSize) {
            int n = Math.min(chunkSize, body.length - i);
            request.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.write(body, i, n);
            request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        write(request.toByteArray());
        return read();
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one answer: status line, headers, and a body framed by Content-Length or chunks. */
    Response read() throws IOException {
        String statusLine = line();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("Not an HTTP status line: " + statusLine);
        }
        Map<String, String> headers = new TreeMap<>();
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int n = Integer.parseInt(line().split(";")[0].trim(), 16); n > 0;
                    n = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                b.write(in.readNBytes(n));
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
            body = b.toByteArray();
        } else if (headers.containsKey("content-length")) {
            int n = Integer.parseInt(headers.get("content-length"));
            body = in.readNBytes(n);
            if (body.length < n) {
                throw new EOFException("The body ended after " + body.length + " of " + n + " bytes");
            }
        } else {
            body = in.readAllBytes();
        }
        return new Response(Integer.parseInt(parts[1]), headers, body);
    }

    /** @return whether the server has closed this connection (the next read sees its end) */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException e) {
            return true;
        }
    }

    /**
     * Waits, at most {@code millis}, for the server to close this connection, skipping whatever it
     * sends before.
     *
     * @return whether it closed it (the read saw the end of the stream, or a reset) in time
     */
    boolean closedByServerWithin(long millis) throws IOException {
        int timeout = socket.getSoTimeout();
        long deadline = System.nanoTime() + millis * 1_000_000;
        try {
            while (true) {
                socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(timeout);
            }
        }
    }

    /** @return whether the connection is still open: no end of stream within 1 ms */
    boolean open() throws IOException {
        return !closedByServerWithin(1);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("The connection closed mid-answer");
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
