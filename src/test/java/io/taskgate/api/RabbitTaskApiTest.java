package io.taskgate.api;

import io.taskgate.support.Postgres;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/** The same scenarios with RabbitMQ (the machine's, 127.0.0.1:5672) and PostgreSQL state. */
@TestPropertySource(properties = "taskgate.broker=rabbitmq")
class RabbitTaskApiTest extends TaskApiScenarios {

  @DynamicPropertySource
  static void postgres(DynamicPropertyRegistry registry) {
    Postgres.freshSchema("taskgate_rabbit_test", registry);
  }
}
