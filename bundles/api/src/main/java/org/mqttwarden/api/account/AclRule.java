package org.mqttwarden.api.account;

import java.util.Objects;

/**
 * One ACL rule: a subject, a topic filter and what it grants.
 *
 * <p>The filter is an MQTT topic filter ({@code +} and {@code #} wildcards) in which {@code %u}
 * stands for the asking username and {@code %c} for its client id, each as one whole topic level.
 *
 * @param id the rule's id, {@code 0} for a rule not yet stored
 * @param subjectType whether {@link #subject} names a role or an account
 * @param subject the role or account name
 * @param topicFilter the topic filter
 * @param permission what the rule grants or denies
 * @param comment why the rule exists (may be empty)
 */
public record AclRule(long id, SubjectType subjectType, String subject, String topicFilter, Permission permission,
        String comment) {

    public AclRule {
        Objects.requireNonNull(subjectType, "subjectType");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(topicFilter, "topicFilter");
        Objects.requireNonNull(permission, "permission");
        comment = comment == null ? "" : comment;
    }

    /** @return the same rule carrying the given id */
    public AclRule withId(long newId) {
        return new AclRule(newId, subjectType, subject, topicFilter, permission, comment);
    }

    /**
     * @return a one-line description, e.g. {@code #3 role:sensor readwrite %u/#} or {@code #4 user:plc-7 deny
     *     plant/#}: the subject named as the shell's {@code --role} / {@code --user} options name it
     */
    public String describe() {
        return "#" + id + " " + (subjectType == SubjectType.ROLE ? "role:" : "user:") + subject + " "
                + permission.label() + " " + topicFilter;
    }
}
