package io.taskgate.recovery;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The worker lifecycle scenarios on Kafka, PostgreSQL state. The broker is a real single-node KRaft
 * broker in this JVM (spring-kafka-test); the API and worker processes connect to it over TCP.
 */
class KafkaWorkerLifecycleIT extends WorkerLifecycleIT {

  static EmbeddedKafkaKraftBroker kafka;

  @BeforeAll
  static void api() throws Exception {
    kafka = new EmbeddedKafkaKraftBroker(1, 4);
    kafka.afterPropertiesSet();
    // A SIGKILLed worker's consumers stay in their group until their session times out (Kafka's
    // default 45 s); the next worker gets no partition of that type before. 6 s (the broker's
    // minimum) keeps each kill scenario short; the scenarios wait for it.
    startApi("kafka", "taskgate_lifecycle_kafka_test", "--camel.component.kafka.brokers=" + kafka.getBrokersAsString(),
        "--camel.component.kafka.session-timeout-ms=6000", "--camel.component.kafka.heartbeat-interval-ms=2000");
  }

  @AfterAll
  static void stopKafka() throws Exception {
    apiProcess.close(); // before the broker it publishes to
    kafka.destroy();
  }
}
