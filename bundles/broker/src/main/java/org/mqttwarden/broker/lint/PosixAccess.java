package org.mqttwarden.broker.lint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a given Unix user can read a file, from the file's owner, group and mode and those of every folder
 * above it. Mosquitto 2.x started as root drops to its {@code user} (default {@code mosquitto}) as soon as it
 * has read its configuration, before it loads certificates and keys (Mosquitto 2.0.0 ChangeLog, "Breaking
 * changes"; checked with 2.0.11: a root-only key file stops it with "Permission denied"), so "readable by the
 * linter" is not the question. Users and groups come from the passwd and group files given (normally
 * {@code /etc/passwd} and {@code /etc/group}); ACLs and capabilities are not considered.
 */
final class PosixAccess {

    private final String user;
    private final boolean root;
    private final Set<String> groups;

    private PosixAccess(String user, boolean root, Set<String> groups) {
        this.user = user;
        this.root = root;
        this.groups = groups;
    }

    /** @return the access of {@code user}; empty when the passwd file does not know that user */
    static Optional<PosixAccess> of(String user, Path passwd, Path group) {
        try {
            String primaryGid = null;
            boolean root = false;
            for (String line : Files.readAllLines(passwd)) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && f[0].equals(user)) {
                    root = f[2].equals("0");
                    primaryGid = f[3];
                    break;
                }
            }
            if (primaryGid == null) {
                return Optional.empty();
            }
            Set<String> groups = new HashSet<>();
            for (String line : Files.readAllLines(group)) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && (f[2].equals(primaryGid) || List.of(f[3].split(",")).contains(user))) {
                    groups.add(f[0]);
                }
            }
            return Optional.of(new PosixAccess(user, root, groups));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** @return the user's name */
    String user() {
        return user;
    }

    /**
     * @return whether the user can read {@code file}: read permission on it (following links) and search
     *     permission on every folder above it; unknown attributes count as "cannot"
     */
    boolean canRead(Path file) {
        if (root) {
            return true;
        }
        Path abs = file.toAbsolutePath().normalize();
        try {
            Path real = abs.toRealPath();
            if (!allowed(real, PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ,
                    PosixFilePermission.OTHERS_READ)) {
                return false;
            }
            for (Path dir = abs.getParent(); dir != null; dir = dir.getParent()) {
                if (!allowed(dir, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            for (Path dir = real.getParent(); dir != null; dir = dir.getParent()) {
                if (!allowed(dir, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private boolean allowed(Path p, PosixFilePermission owner, PosixFilePermission group, PosixFilePermission other)
            throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
        Set<PosixFilePermission> perms = a.permissions();
        if (a.owner().getName().equals(user)) {
            return perms.contains(owner);
        }
        if (groups.contains(a.group().getName())) {
            return perms.contains(group);
        }
        return perms.contains(other);
    }

    /** @return whether users other than the owner and group may read {@code file}; false when unknown */
    static boolean readableByOthers(Path file) {
        try {
            return Files.readAttributes(file, PosixFileAttributes.class).permissions()
                    .contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** @return the file's mode as in ls, e.g. {@code rw-r--r--}; "?" when unknown */
    static String mode(Path file) {
        try {
            return PosixFilePermissions.toString(
                    Files.readAttributes(file, PosixFileAttributes.class).permissions());
        } catch (IOException | UnsupportedOperationException e) {
            return "?";
        }
    }

    static boolean exists(Path file) {
        return Files.exists(file, new LinkOption[0]);
    }
}
