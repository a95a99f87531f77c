package org.mqttwarden.auth.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.Permission;
import org.mqttwarden.api.account.SubjectType;

@Service
@Command(scope = "warden", name = "acl-add", description = "Adds an ACL rule for a role or an account. The filter may"
        + " use + and # and the whole levels %u (username) and %c (client id). deny beats any allow.")
public class AclAddCommand extends WardenAction {

    @Option(name = "--role", description = "The role the rule applies to")
    @Completion(RoleCompleter.class)
    String role;

    @Option(name = "--user", description = "The account the rule applies to")
    @Completion(UserCompleter.class)
    String user;

    @Option(name = "--comment", aliases = "-c", description = "Why the rule exists")
    String comment;

    @Argument(index = 0, name = "filter", required = true, description = "MQTT topic filter, e.g. plant/+/temp")
    String filter;

    @Argument(index = 1, name = "access", required = true, description = "read, write, readwrite, subscribe or deny")
    @Completion(value = StringsCompleter.class, values = {"read", "write", "readwrite", "subscribe", "deny"})
    String access;

    @Override
    void run() throws Exception {
        if ((role == null) == (user == null)) {
            throw new CommandException("Give exactly one of --role or --user.");
        }
        AclRule rule = accounts.addRule(new AclRule(0, role != null ? SubjectType.ROLE : SubjectType.ACCOUNT,
                role != null ? role : user, filter, Permission.parse(access), comment), actor());
        println("Added rule " + rule.describe());
    }
}
