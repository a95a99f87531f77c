package org.mqttwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;

import org.junit.jupiter.api.Test;

class PostgresServerTest {

    @Test
    void startsAServerThatAnswersSqlAndRemovesItsFilesWhenClosed() throws Exception {
        java.nio.file.Path folder;
        try (PostgresServer pg = PostgresServer.start()) {
            try (Connection c = DriverManager.getConnection(pg.url());
                    ResultSet r = c.createStatement().executeQuery("select current_user")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isEqualTo("warden");
            }
            folder = pg.folder();
        }
        assertThat(folder).doesNotExist();
    }
}
