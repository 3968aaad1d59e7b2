package io.taskgate.config;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/**
 * On PostgreSQL, every statement is planned with the table sizes of the moment
 * ({@code plan_cache_mode = force_custom_plan} on each pooled connection, unless the operator set
 * {@code spring.datasource.hikari.connection-init-sql}).
 *
 * <p>Taskgate's tables are queues: empty when idle, tens of thousands of rows during a burst. The
 * JDBC driver prepares a statement on the server after 5 executions, and PostgreSQL then keeps the
 * generic plan it made when the table was small. The database queue's batch claim kept "Seq Scan on
 * task + Sort + Hash Join" from its first executions and read the whole table on every claim while
 * a 20,000-task backlog drained (~300/s, PostgreSQL at full CPU). Planning each execution costs far
 * less than that.
 */
@Component
class PostgresPlanMode implements BeanPostProcessor {

  static final String INIT_SQL = "SET plan_cache_mode = force_custom_plan";

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    if (bean instanceof HikariDataSource pool
        && pool.getJdbcUrl() != null
        && pool.getJdbcUrl().startsWith("jdbc:postgresql:")
        && pool.getConnectionInitSql() == null) {
      pool.setConnectionInitSql(INIT_SQL);
    }
    return bean;
  }
}
