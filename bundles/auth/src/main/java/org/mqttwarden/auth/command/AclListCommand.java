package org.mqttwarden.auth.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.mqttwarden.api.account.AclRule;
import org.mqttwarden.api.account.SubjectType;

@Service
@Command(scope = "warden", name = "acl-list", description = "Lists ACL rules, by id.")
public class AclListCommand extends WardenAction {

    @Option(name = "--role", description = "Only the rules of this role")
    @Completion(RoleCompleter.class)
    String role;

    @Option(name = "--user", description = "Only the rules of this account")
    @Completion(UserCompleter.class)
    String user;

    @Option(name = "--no-format", description = "Disable table rendered output")
    boolean noFormat;

    @Override
    void run() {
        ShellTable table = new ShellTable();
        table.column("Id").alignRight();
        table.column("Subject");
        table.column("Filter");
        table.column("Access");
        table.column("Comment");
        for (AclRule r : accounts.listRules()) {
            if ((role != null && !(r.subjectType() == SubjectType.ROLE && r.subject().equals(role)))
                    || (user != null && !(r.subjectType() == SubjectType.ACCOUNT && r.subject().equals(user)))) {
                continue;
            }
            table.addRow().addContent(r.id(), (r.subjectType() == SubjectType.ROLE ? "role:" : "user:") + r.subject(),
                    r.topicFilter(), r.permission().label(), r.comment());
        }
        table.print(session.getConsole(), !noFormat);
    }
}
