package org.mqttwarden.api.account;

import java.util.Objects;

/**
 * A named set of ACL rules an account can hold.
 *
 * @param name the role name
 * @param superuser whether holders are allowed every topic and answer {@code /superuser} with yes
 * @param builtIn whether the role ships with Warden ({@code admin}, {@code sensor}, {@code viewer})
 *     and cannot be removed
 * @param description what the role is for
 */
public record Role(String name, boolean superuser, boolean builtIn, String description) {

    public static final String ADMIN = "admin";
    public static final String SENSOR = "sensor";
    public static final String VIEWER = "viewer";

    public Role {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
    }
}
