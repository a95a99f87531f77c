package org.mqttwarden.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.5", "0.0.0.0", "255.255.255.255", "127.0.0.1", "2001:db8::1", "::1", "::",
        "fe80::1%eth0", "1:2:3:4:5:6:7:8", "1::8", "1:2:3:4:5:6::8", "::1.2.3.4", "64:ff9b::192.0.2.33",
        "1:2:3:4:5:6:1.2.3.4"})
    void keepsIpLiteralsInNormalFormAsTheyAre(String address) {
        assertThat(ClientAddresses.normalise(address)).isEqualTo(address);
    }

    @Test
    void lowerCasesIpv6AndDropsBrackets() {
        assertThat(ClientAddresses.normalise("2001:DB8::A")).isEqualTo("2001:db8::a");
        assertThat(ClientAddresses.normalise("[2001:db8::1]")).isEqualTo("2001:db8::1");
        assertThat(ClientAddresses.normalise("[FE80::1%Eth0]")).isEqualTo("fe80::1%Eth0");
    }

    @Test
    void givesAnIpv4MappedAddressAsIpv4() {
        assertThat(ClientAddresses.normalise("::ffff:10.0.0.5")).isEqualTo("10.0.0.5");
        assertThat(ClientAddresses.normalise("[::FFFF:10.0.0.5]")).isEqualTo("10.0.0.5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "10.0.0.5:51234", "[2001:db8::1]:51234", "10.0.0", "10.0.0.5.6", "10.0.0.256",
        "10.0.0.05", "10..0.5", ".10.0.0.5", "10.0.0.5.", "broker.example.org", "localhost", "dead", "cafe",
        "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", ":::", "1:::2", ":1::", "1::2:", "12345::1", "g::1",
        "1.2.3.4::", "::1.2.3", "[::1", "::1]", "[]", "fe80::1%", "fe80::1%eth 0", "fe80::1%\nINFO forged",
        "10.0.0.5%eth0", "10.0.0.5\n2024 forged line", "10.0.0.5 ", "<script>", "1:2:3:4:5:6:7:1.2.3.4"})
    void refusesAnythingThatIsNoIpLiteral(String text) {
        assertThat(ClientAddresses.normalise(text)).isNull();
    }

    @Test
    void refusesOverlongText() {
        assertThat(ClientAddresses.normalise("fe80::1%" + "a".repeat(16))).isNotNull();
        assertThat(ClientAddresses.normalise("fe80::1%" + "a".repeat(17))).isNull();
        assertThat(ClientAddresses.normalise("0:".repeat(40) + "1")).isNull();
        assertThat(ClientAddresses.normalise(null)).isNull();
    }

    @Test
    void treatsAFailingOrMissingResolverAsUnknown() {
        assertThat(ClientAddresses.resolve(null, "dev-1")).isNull();
        assertThat(ClientAddresses.resolve(id -> "10.0.0.5", "")).as("no client id, nothing to ask").isNull();
        assertThat(ClientAddresses.resolve(id -> {
            throw new IllegalStateException("boom");
        }, "dev-1")).isNull();
        assertThat(ClientAddresses.resolve(id -> null, "dev-1")).isNull();
        assertThat(ClientAddresses.resolve(id -> "10.0.0.5:1883", "dev-1")).isNull();
        assertThat(ClientAddresses.resolve(id -> "10.0.0.5", "dev-1")).isEqualTo("10.0.0.5");
    }
}
