package io.taskgate.support;

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
    Flyway.configure().dataSource(url, USER, "")
        .locations("classpath:db/migration", "classpath:db/vendor/postgresql").load().migrate();
    return new SingleConnectionDataSource(url, USER, "", true);
  }

  public static void freshSchema(String schema, DynamicPropertyRegistry registry) {
    String url = freshSchema(schema);
    registry.add("spring.datasource.url", () -> url);
    registry.add("spring.datasource.username", () -> USER);
    registry.add("spring.datasource.password", () -> "");
  }
}
