package io.taskgate.api;

import io.taskgate.support.Postgres;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The same scenarios on the machine's PostgreSQL (a fresh schema per run). */
class PostgresTaskApiTest extends TaskApiScenarios implements PriorityScenarios {

  @DynamicPropertySource
  static void postgres(DynamicPropertyRegistry registry) {
    Postgres.freshSchema("taskgate_api_test", registry);
  }
}
