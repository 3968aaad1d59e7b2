package io.taskgate.state;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import javax.sql.DataSource;
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
