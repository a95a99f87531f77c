package org.mqttwarden.broker.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.mqttwarden.broker.watch.LogLine.Kind;

/**
 * The parser on what the real 2.0.11 broker does not write in LogCorpusTest's run (other timestamp formats,
 * 2.1's forms) and on hostile input. Mosquitto 2.1 is not packaged for this machine, so its lines could not be
 * recorded; the 2.1 forms below are copied from public reports of 2.1 logs, not invented: "Client 177fea0b
 * [fd0c:ac1e:2100::1:49952] disconnected: not authorised." (home-assistant/addons#4575, add-on 7 on Mosquitto
 * 2.1) and the client-id form of later 2.0 releases "Client nspanelpro... disconnected, not authorised."
 * (seaky/nspanel_pro_tools_apk#75).
 */
class LogParserTest {

    private final LogParser parser = new LogParser(ZoneOffset.UTC);

    @Test
    void readsIsoTimestampsInTheGivenZone() {
        LogLine l = parser.parse("2026-05-14T22:13:02: New connection from fd0c:ac1e:2100::1:49952 on port 1883.");
        assertThat(l.kind()).isEqualTo(Kind.ACCEPTED);
        assertThat(l.epochSecond()).isEqualTo(java.time.Instant.parse("2026-05-14T22:13:02Z").getEpochSecond());
        assertThat(l.address()).isEqualTo("fd0c:ac1e:2100::1");
        assertThat(l.remotePort()).isEqualTo(49952);
        assertThat(parser.parse("2026-05-14 22:13:02: Client a disconnected.").kind()).isEqualTo(Kind.DISCONNECTED);
        assertThat(parser.parse("Client a disconnected.").epochSecond()).isEqualTo(-1);
    }

    @Test
    void reads21FormsWithClientIdAndEndpoint() {
        LogLine l = parser.parse("2026-05-14 22:13:02: Client 177fea0b [fd0c:ac1e:2100::1:49952] disconnected: not"
                + " authorised.");
        assertThat(l.kind()).isEqualTo(Kind.NOT_AUTHORISED);
        assertThat(l.clientId()).isEqualTo("177fea0b");
        assertThat(l.endpoint()).isEqualTo("fd0c:ac1e:2100::1:49952");
        LogLine later20 = parser.parse("1710511312: Client nspanelpro17105 disconnected, not authorised.");
        assertThat(later20.kind()).isEqualTo(Kind.NOT_AUTHORISED);
        assertThat(later20.clientId()).isEqualTo("nspanelpro17105");
        assertThat(parser.parse("1: Client x [10.0.0.1:5] disconnected: session taken over.").kind())
                .isEqualTo(Kind.DISCONNECTED);
    }

    @Test
    void clientIdsWithSpacesBracketsAndParenthesesAreReadFromTheEnd() {
        LogLine l = parser.parse("1: New client connected from 10.0.0.1:5 as my (odd) [id] as x (p2, c1, k60,"
                + " u'user').");
        assertThat(l.clientId()).isEqualTo("my (odd) [id] as x");
        assertThat(l.username()).isEqualTo("user");
        assertThat(parser.parse("1: New client connected from 10.0.0.1:5 as anon (p4, c0, k10).").username()).isNull();
        assertThat(parser.parse("1: Client a b. disconnected.").clientId()).isEqualTo("a b.");
    }

    @Test
    void canonicalisesAddresses() {
        assertThat(parser.parse("1: New connection from ::FFFF:10.1.2.3:7 on port 1.").address()).isEqualTo("10.1.2.3");
        assertThat(parser.parse("1: New connection from 2001:DB8:0:0:0:0:0:1:7 on port 1.").address())
                .isEqualTo("2001:db8::1");
        assertThat(parser.parse("1: New connection from fe80::1%eth0:7 on port 1.").address()).isEqualTo("fe80::1%eth0");
        assertThat(IpLiteral.canonical("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(IpLiteral.canonical("1:0:0:0:0:0:0:0")).isEqualTo("1::");
        assertThat(IpLiteral.canonical("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
    }

    @Test
    void refusesWhatIsNoAddressOrNoKnownLine() {
        assertThat(parser.parse("1: New connection from evil.example.com:7 on port 1.")).isNull();
        assertThat(parser.parse("1: New connection from 010.0.0.1:7 on port 1.")).isNull();
        assertThat(parser.parse("1: New connection from 10.0.0.1:99999 on port 1.")).isNull();
        assertThat(parser.parse("1: New connection from 10.0.0.1 on port 1.")).isNull();
        assertThat(parser.parse("1: New client connected from 10.0.0.1:5 as  (p2, c1, k60).")).isNull();
        assertThat(parser.parse("1: Saving in-memory database to /var/lib/mosquitto/mosquitto.db.")).isNull();
        assertThat(parser.parse("1: Client  disconnected.")).isNull();
        assertThat(parser.parse("x".repeat(LogParser.MAX_LINE + 1))).isNull();
        assertThat(parser.parse("")).isNull();
        assertThat(parser.parse("1: Client a [not-an-address:1] disconnected.").clientId())
                .isEqualTo("a [not-an-address:1]");
    }
}
