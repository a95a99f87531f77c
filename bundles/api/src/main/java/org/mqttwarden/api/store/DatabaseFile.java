package org.mqttwarden.api.store;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A database file a bundle opened for itself through {@link DatabaseFiles}: its pool
 * ({@link #dataSource()}) and its migrations ({@link #migrate}, the runner of the shared database).
 *
 * @since 1.3
 */
@ProviderType
public interface DatabaseFile extends WardenDatabase, AutoCloseable {

    /** @return the file, absolute */
    Path file();

    /** Closes the pool; connections still lent out are closed when returned. Closing twice does nothing. */
    @Override
    void close();
}
