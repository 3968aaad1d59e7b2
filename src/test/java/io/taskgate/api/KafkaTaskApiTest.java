package io.taskgate.api;

import io.taskgate.support.Postgres;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/** The same scenarios with Kafka (a real in-process KRaft broker) and PostgreSQL state. */
@EmbeddedKafka(kraft = true, partitions = 4)
@TestPropertySource(properties = {
    "taskgate.broker=kafka",
    "camel.component.kafka.brokers=${spring.embedded.kafka.brokers}"
})
class KafkaTaskApiTest extends TaskApiScenarios {

  @DynamicPropertySource
  static void postgres(DynamicPropertyRegistry registry) {
    Postgres.freshSchema("taskgate_kafka_test", registry);
  }
}
