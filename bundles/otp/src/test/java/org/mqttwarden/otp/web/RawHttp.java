package org.mqttwarden.otp.web;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/1.1 connection over a plain socket, for what a well-behaved client never sends: half a request, a
 * body larger than announced, chunks past the limit, a source address of the test's choosing on loopback.
 */
final class RawHttp implements AutoCloseable {

    /** An answer as read off the wire; header names in lower case. */
    record Response(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawHttp connect(int port) throws IOException {
        return new RawHttp(new Socket("127.0.0.1", port));
    }

    /** @return a connection from {@code local} (any 127.x.y.z is loopback on Linux) */
    static RawHttp connectFrom(String local, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return new RawHttp(s);
    }

    static String head(String method, String path, String contentType, long length) {
        return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (contentType == null ? ""
                : "Content-Type: " + contentType + "\r\n") + "Content-Length: " + length + "\r\n\r\n";
    }

    Response send(String method, String path, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        write(head(method, path, contentType, b.length).getBytes(StandardCharsets.US_ASCII));
        write(b);
        return read();
    }

    Response sendChunked(String path, String contentType, byte[] body, int chunk) throws IOException {
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        r.writeBytes(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
                + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < body.length; i += chunk) {
            int n = Math.min(chunk, body.length - i);
            r.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            r.write(body, i, n);
            r.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        r.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try {
            write(r.toByteArray());
        } catch (SocketException e) {
            // the server may answer and close before the whole body is written: read what it said
        }
        return read();
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    Response read() throws IOException {
        String status = line();
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("Not an HTTP status line: " + status);
        }
        Map<String, String> headers = new TreeMap<>();
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        int n = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(n);
        if (body.length < n) {
            throw new EOFException("The body ended after " + body.length + " of " + n + " bytes");
        }
        return new Response(Integer.parseInt(parts[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    /** @return whether the server closed this connection within {@code millis}, skipping what it sends before */
    boolean closedByServerWithin(long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        try {
            while (true) {
                socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
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

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
