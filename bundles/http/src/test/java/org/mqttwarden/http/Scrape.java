package org.mqttwarden.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One read of {@code /metrics}: each sample by its series ({@code name{labels}}), in exposition order. */
record Scrape(String text, Map<String, Double> samples) {

    /** @return {@code /metrics} read over a raw connection (which must answer 200) */
    static Scrape over(RawHttp connection) throws IOException {
        RawHttp.Response r = connection.send("GET", "/metrics", null, new byte[0]);
        assertThat(r.status()).as("/metrics").isEqualTo(200);
        return parse(r.text());
    }

    static Scrape parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return new Scrape(text, Collections.unmodifiableMap(samples));
    }

    /** @return the sample, or fails when the series is not exposed */
    double value(String series) {
        Double v = samples.get(series);
        if (v == null) {
            throw new AssertionError("No series " + series + " in:\n" + text);
        }
        return v;
    }

    double decisions(String endpoint, String result) {
        return value("warden_decisions_total{endpoint=\"" + endpoint + "\",result=\"" + result + "\"}");
    }
}
