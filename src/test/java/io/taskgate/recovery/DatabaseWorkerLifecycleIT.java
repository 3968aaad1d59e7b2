package io.taskgate.recovery;

import org.junit.jupiter.api.BeforeAll;

/** The worker lifecycle scenarios on the database queue (PostgreSQL). */
class DatabaseWorkerLifecycleIT extends WorkerLifecycleIT {

  @BeforeAll
  static void api() throws Exception {
    startApi("database", "taskgate_lifecycle_db_test");
  }
}
