package io.carbridge.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.BadSqlGrammarException;

/** What the admin API and Connect answer 503 for (try again later) rather than 500. */
class StorageUnavailableExceptionTest {

    @Test
    void aDatabaseThatCannotBeReachedIsUnavailable() {
        assertThat(StorageUnavailableException.isCause(
                        new SQLTransientConnectionException("bridge-db - Connection is not available")))
                .isTrue();
        assertThat(StorageUnavailableException.isCause(
                        new IllegalStateException(new SQLException("Connection refused", "08001"))))
                .isTrue();
        assertThat(StorageUnavailableException.isCause(new DataAccessResourceFailureException("no connection")))
                .isTrue();
        assertThat(StorageUnavailableException.isCause(new StorageUnavailableException("commit timed out", null)))
                .isTrue();
    }

    @Test
    void aFaultIsNot() {
        assertThat(StorageUnavailableException.isCause(
                        new BadSqlGrammarException("list", "SELECT nothing", new SQLException("syntax", "42000"))))
                .isFalse();
        assertThat(StorageUnavailableException.isCause(new IllegalArgumentException("bad request")))
                .isFalse();
        assertThat(StorageUnavailableException.isCause(null)).isFalse();
    }
}
