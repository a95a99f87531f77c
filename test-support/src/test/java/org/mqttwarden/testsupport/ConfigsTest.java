package org.mqttwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ConfigsTest {

    @interface Sample {
        int bcrypt_cost() default 12;

        boolean alert_mqtt_enabled() default false;

        String[] allowed_os_users() default {"root"};

        String key__file() default "a";

        String odd$_name() default "x";
    }

    @Test
    void unsetPropertiesKeepTheirDefaults() {
        Sample s = Configs.defaults(Sample.class);
        assertThat(s.bcrypt_cost()).isEqualTo(12);
        assertThat(s.alert_mqtt_enabled()).isFalse();
        assertThat(s.allowed_os_users()).containsExactly("root");
    }

    @Test
    void propertiesAreNamedAndConvertedAsInACfgFile() {
        Sample s = Configs.of(Sample.class, Map.of("bcrypt.cost", "10", "alert.mqtt.enabled", "true",
                "allowed.os.users", "mosquitto", "key_file", "b", "odd.name", "y"));
        assertThat(s.bcrypt_cost()).isEqualTo(10);
        assertThat(s.alert_mqtt_enabled()).isTrue();
        assertThat(s.allowed_os_users()).containsExactly("mosquitto");
        assertThat(s.key__file()).isEqualTo("b");
        assertThat(s.odd$_name()).isEqualTo("y");
        assertThat(s.annotationType()).isEqualTo(Sample.class);
    }

    @Test
    void aKeyNamingNoPropertyIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> Configs.of(Sample.class, Map.of("bcrypt_cost", 10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bcrypt_cost")
                .hasMessageContaining("bcrypt.cost");
    }

    @Test
    void withOverridesSomePropertiesOfAnotherInstance() {
        Sample base = Configs.of(Sample.class, Map.of("bcrypt.cost", 10));
        Sample s = Configs.with(Sample.class, base, Map.of("alert.mqtt.enabled", true));
        assertThat(s.bcrypt_cost()).isEqualTo(10);
        assertThat(s.alert_mqtt_enabled()).isTrue();
    }

    @Test
    void methodNamesMapToPropertyNamesAsDeclarativeServicesMapsThem() {
        assertThat(Configs.propertyName("a_b")).isEqualTo("a.b");
        assertThat(Configs.propertyName("a__b")).isEqualTo("a_b");
        assertThat(Configs.propertyName("a$b")).isEqualTo("ab");
        assertThat(Configs.propertyName("a$$b")).isEqualTo("a$b");
    }
}
