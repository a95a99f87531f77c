package org.mqttwarden.http;

import java.lang.annotation.Annotation;

/** A {@link CallerConfig} as DS would hand it over. */
record CallerSettings(boolean auth_key_required, String auth_header_name, String auth_key_file,
        String allowed_os_users) implements CallerConfig {

    /** Every caller served (the shipped default). */
    static CallerSettings off() {
        return new CallerSettings(false, "X-Warden-Key", "", "");
    }

    /** The key required in {@code header}, read from (or created in) {@code file}. */
    static CallerSettings key(String header, String file) {
        return new CallerSettings(true, header, file, "");
    }

    /** Only connections of these OS users (names or uids, comma separated) served. */
    static CallerSettings osUsers(String users) {
        return new CallerSettings(false, "X-Warden-Key", "", users);
    }

    CallerSettings withOsUsers(String users) {
        return new CallerSettings(auth_key_required, auth_header_name, auth_key_file, users);
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return CallerConfig.class;
    }
}
