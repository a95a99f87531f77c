package org.mqttwarden.audit.command;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.apache.karaf.shell.support.CommandException;
import org.mqttwarden.api.audit.AuditRecord;
import org.mqttwarden.store.files.PrivateFiles;

/** Writes rows to a new file, readable by its owner only (audit rows are personal data). */
final class AuditExport {

    private AuditExport() {
    }

    /**
     * @param oldestFirst the rows, in the order to write them
     * @param force replace {@code file} if it exists
     * @return how many rows were written
     */
    static long write(List<AuditRecord> oldestFirst, ExportFormat format, Path file, boolean force)
            throws IOException, CommandException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new CommandException("Directory " + parent + " does not exist.");
        }
        if (Files.isDirectory(file)) {
            throw new CommandException(file + " is a directory.");
        }
        if (force) {
            Files.deleteIfExists(file);
        }
        try {
            create(file);
        } catch (FileAlreadyExistsException e) {
            throw new CommandException("File " + file + " exists; add --force to replace it.");
        }
        boolean done = false;
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long n = write(oldestFirst, format, out);
            done = true;
            return n;
        } finally {
            if (!done) {
                Files.deleteIfExists(file);
            }
        }
    }

    static long write(List<AuditRecord> oldestFirst, ExportFormat format, Writer out) throws IOException {
        out.write(format.header());
        for (AuditRecord r : oldestFirst) {
            out.write(format.line(r));
        }
        return oldestFirst.size();
    }

    private static void create(Path file) throws IOException {
        PrivateFiles.createNew(file);
    }
}
