package org.mqttwarden.api.auth;

/**
 * The access a client asks for, numbered exactly as go-auth numbers its {@code acc} parameter.
 *
 * <p>Mosquitto asks {@link #READ} for each delivery to a subscriber (and for retained messages on
 * subscribe), {@link #WRITE} for each publish (a will and the clearing of a retained message
 * included) and {@link #SUBSCRIBE} once per filter in a SUBSCRIBE packet. It never asks for
 * {@link #READWRITE}; it is accepted as "read and write".
 */
public enum Access {
    READ(1),
    WRITE(2),
    READWRITE(3),
    SUBSCRIBE(4);

    private final int code;

    Access(int code) {
        this.code = code;
    }

    /** @return go-auth's number for this access */
    public int code() {
        return code;
    }

    /**
     * @param code go-auth's {@code acc} value
     * @return the access, or {@code null} when the number is not one go-auth sends
     */
    public static Access fromCode(long code) {
        for (Access a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        return null;
    }
}
