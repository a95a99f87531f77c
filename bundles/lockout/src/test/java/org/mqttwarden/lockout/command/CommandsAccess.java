package org.mqttwarden.lockout.command;

import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.lockout.LockoutEntry;
import org.mqttwarden.lockout.LockoutService;

/** The logic of the lockout commands, reached from tests without a shell. */
public final class CommandsAccess {

    private CommandsAccess() {
    }

    public static String kind(LockoutEntry e) {
        return LockoutListCommand.kind(e);
    }

    public static String clear(LockoutService lockouts, String username, String source, String actor)
            throws CommandException {
        return LockoutClearCommand.clear(lockouts, username, source, actor);
    }

    /** @return the message of the {@link CommandException} the input causes, or fails */
    public static String failure(LockoutService lockouts, String username, String source) {
        try {
            LockoutClearCommand.clear(lockouts, username, source, "test");
        } catch (CommandException e) {
            return e.getMessage();
        }
        throw new AssertionError("no CommandException");
    }
}
