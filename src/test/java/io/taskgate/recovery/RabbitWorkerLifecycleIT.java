package io.taskgate.recovery;

import org.junit.jupiter.api.BeforeAll;

/** The worker lifecycle scenarios on RabbitMQ (the machine's), PostgreSQL state. */
class RabbitWorkerLifecycleIT extends WorkerLifecycleIT {

  @BeforeAll
  static void api() throws Exception {
    startApi("rabbitmq", "taskgate_lifecycle_rabbit_test");
  }
}
