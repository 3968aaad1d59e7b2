package io.taskgate.support;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The machine's PostgreSQL ({@code TASKGATE_TEST_PG_URL}, default 127.0.0.1:5432/test, trust auth).
 * Each test class gets its own schema, dropped and recreated, so runs never see each other's rows.
 */
public final class Postgres {

  public static final String URL = System.getenv().getOrDefault(
      "TASKGATE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  public static final String USER = System.getenv().getOrDefault("TASKGATE_TEST_PG_USER", "postgres");

  private Postgres() {}

  public static String freshSchema(String schema) {
    try (Connection c = DriverManager.getConnection(URL, USER, "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + URL + " is needed for this test: " + e.getMessage(), e);
    }
    return URL + "?currentSchema=" + schema;
  }

  /**
   * A fresh schema with Taskgate's tables (the Flyway migrations the application runs), on one
   * connection: for tests of single statements, without a Spring context. Destroy it when done.
   */
  public static SingleConnectionDataSource migratedSchema(String schema) {
    String url = freshSchema(schema);
    migrate(url);
    return new SingleConnectionDataSource(url, USER, "", true);
  }

  /**
   * A fresh schema with Taskgate's tables, behind a pool of {@code connections}: for tests that
   * write from several threads, without a Spring context. Close it when done.
   */
  public static HikariDataSource migratedPool(String schema, int connections) {
    String url = freshSchema(schema);
    migrate(url);
    HikariDataSource pool = new HikariDataSource();
    pool.setJdbcUrl(url);
    pool.setUsername(USER);
    pool.setMaximumPoolSize(connections);
    return pool;
  }

  private static void migrate(String url) {
    Flyway.configure().dataSource(url, USER, "")
        .locations("classpath:db/migration", "classpath:db/vendor/postgresql").load().migrate();
  }

  public static void freshSchema(String schema, DynamicPropertyRegistry registry) {
    String url = freshSchema(schema);
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.username", () -> USER);
    registry.add("spring.datasource.password", () -> "");
  }
}
