package io.taskgate.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import javax.sql.DataSource;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.support.AbstractSqlTypeValue;
import org.springframework.jdbc.support.JdbcUtils;

/** Small helpers shared by the repositories: timestamps as the databases keep them, the dialect. */
public final class SqlSupport {

  private SqlSupport() {}

  /** Now, cut to the microseconds both databases keep, so that what we return equals what we stored. */
  public static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  /** A timestamp parameter (UTC), or null. */
  public static OffsetDateTime ts(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  /**
   * A PostgreSQL {@code text[]} parameter made of the values' text (nulls stay null); the statement
   * casts it to the element type it needs ({@code CAST(:ids AS uuid[])}).
   */
  public static SqlTypeValue textArray(Object[] values) {
    String[] texts = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      texts[i] = values[i] == null ? null : values[i].toString();
    }
    return new AbstractSqlTypeValue() {
      @Override
      protected Object createTypeValue(Connection connection, int sqlType, String typeName)
          throws SQLException {
        return connection.createArrayOf("text", texts);
      }
    };
  }

  /** True on PostgreSQL (batch claims with FOR UPDATE SKIP LOCKED), false on H2. */
  public static boolean isPostgres(DataSource dataSource) {
    try {
      String product = JdbcUtils.extractDatabaseMetaData(dataSource, md -> md.getDatabaseProductName());
      return product.toLowerCase().contains("postgres");
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the state store's database product", e);
    }
  }
}
