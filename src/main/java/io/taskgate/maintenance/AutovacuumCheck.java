package io.taskgate.maintenance;

import io.taskgate.state.SqlSupport;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Warns at start-up when PostgreSQL will not vacuum Taskgate's tables. They are queues: every task
 * leaves dead row versions behind (submit, claim, outcome; outbox and callback rows come and go),
 * and only VACUUM removes them and ANALYZE tells the planner how big the backlog is. Without
 * autovacuum the tables and their indexes grow without bound and plans go stale.
 */
@Component
public class AutovacuumCheck {

  private static final Logger log = LoggerFactory.getLogger(AutovacuumCheck.class);
  private static final List<String> TABLES = List.of("task", "outbox", "callback_delivery", "idempotency_key");

  private final JdbcClient jdbc;
  private final boolean postgres;

  public AutovacuumCheck(JdbcClient jdbc, DataSource dataSource) {
    this.jdbc = jdbc;
    this.postgres = SqlSupport.isPostgres(dataSource);
  }

  @EventListener(ApplicationReadyEvent.class)
  public void warnIfOff() {
    try {
      findings().forEach(f -> log.warn("{}: run VACUUM ANALYZE on Taskgate's tables regularly, or turn autovacuum on", f));
    } catch (RuntimeException e) {
      log.debug("autovacuum check skipped: {}", e.toString());
    }
  }

  /** What keeps PostgreSQL from vacuuming Taskgate's tables (empty when nothing does, and on H2). */
  public List<String> findings() {
    List<String> found = new ArrayList<>();
    if (!postgres) {
      return found;
    }
    if (!"on".equals(jdbc.sql("SELECT current_setting('autovacuum')").query(String.class).single())) {
      found.add("PostgreSQL runs with autovacuum = off");
      return found;
    }
    // the tables of the schema Taskgate uses (the first on the search path)
    List<String> off = jdbc.sql("""
        SELECT c.relname FROM pg_class c
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relname IN (:tables)
           AND 'autovacuum_enabled=false' = ANY (coalesce(c.reloptions, '{}'))
         ORDER BY c.relname
        """).param("tables", TABLES).query(String.class).list();
    off.forEach(t -> found.add("autovacuum is disabled on table " + t));
    return found;
  }
}
