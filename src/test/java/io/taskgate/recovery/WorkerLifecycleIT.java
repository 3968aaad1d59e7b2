package io.taskgate.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskgate.support.ApiClient;
import io.taskgate.support.CallbackReceiver;
import io.taskgate.support.Postgres;
import io.taskgate.support.TaskgateProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Workers as separate processes of the packaged jar, beside an API process, with PostgreSQL state:
 * what happens to tasks when a worker gets SIGTERM or SIGKILL, and one-shot runs. Subclasses pick
 * the broker.
 */
abstract class WorkerLifecycleIT {

  static final Duration EXIT = Duration.ofSeconds(60);
  static List<String> db;
  static TaskgateProcess apiProcess;
  static ApiClient api;

  /**
   * Starts the API process with the given broker and a fresh PostgreSQL schema; {@code brokerArgs}
   * (where the broker is) go to every process.
   */
  static void startApi(String broker, String schema, String... brokerArgs) throws Exception {
    List<String> all = new ArrayList<>(List.of("--spring.datasource.url=" + Postgres.freshSchema(schema),
        "--spring.datasource.username=" + Postgres.USER, "--taskgate.broker=" + broker));
    all.addAll(List.of(brokerArgs));
    db = List.copyOf(all);
    apiProcess = TaskgateProcess.start("lifecycle-" + broker + "-api", args("--taskgate.roles=api",
        "--taskgate.maintenance.reaper-period-ms=500", "--taskgate.callbacks.retry-schedule=1s"));
    api = new ApiClient(apiProcess.baseUrl());
  }

  @AfterAll
  static void stop() throws Exception {
    apiProcess.close();
  }

  static List<String> args(String... more) {
    List<String> all = new ArrayList<>(db);
    all.add("--taskgate.worker.lease=3s");
    all.addAll(List.of(more));
    return all;
  }

  static TaskgateProcess worker(String name, String... more) throws Exception {
    List<String> a = new ArrayList<>(List.of(more));
    a.add("--taskgate.roles=worker");
    return TaskgateProcess.start(name + "-" + broker(), args(a.toArray(String[]::new)));
  }

  /**
   * A worker of the sleep type only: these scenarios need no other, and a worker of every type
   * starts and stops slower (on Kafka echo's 128 consumers alone took ~30 s to stop).
   */
  static TaskgateProcess sleepWorker(String name, String... more) throws Exception {
    List<String> a = new ArrayList<>(List.of(more));
    a.add("--taskgate.worker.types=sleep");
    return worker(name, a.toArray(String[]::new));
  }

  static String broker() {
    return db.get(2).substring("--taskgate.broker=".length());
  }

  static JsonNode awaitStatus(String id, String status, Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> api.status(id).equals(status));
    return api.task(id);
  }

  @Test
  void sigterm_lets_a_task_that_fits_in_the_drain_time_finish_and_exits_0() throws Exception {
    // 12 s: longer than every wait that ends in an interrupt of the runs, by default: a stopping
    // RabbitMQ listener container's 5 s, the 10 s Camel gives a thread pool (the database queue's);
    // and Camel's stop of a route, lowered here from 45 to 5 s as if the drain were longer than it.
    // The drain-timeout must win over all of them, over explicit settings too
    try (TaskgateProcess worker = sleepWorker("lifecycle-drain-ok", "--taskgate.worker.drain-timeout=18s",
        "--camel.main.shutdown-timeout=5", "--camel.component.spring-rabbitmq.shutdown-timeout=5000")) {
      String id = api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":12}}");
      awaitStatus(id, "RUNNING", Duration.ofSeconds(20));
      worker.sigterm();
      assertThat(worker.awaitExit(EXIT)).isZero();
      JsonNode done = api.task(id);
      assertThat(done.path("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(done.path("attempts").asInt()).isEqualTo(1);
      // a rolling deploy is routine: nothing in it may page an operator
      assertThat(worker.output().lines().filter(line -> line.contains(" ERROR ")))
          .as("ERROR lines of a worker that drained cleanly").isEmpty();
    }
  }

  @Test
  void sigterm_gives_back_a_task_that_cannot_finish_and_another_worker_completes_it() throws Exception {
    String id;
    try (TaskgateProcess worker = sleepWorker("lifecycle-drain-requeue", "--taskgate.worker.drain-timeout=1s")) {
      // far longer than SIGTERM + drain (1 s) + one step (1 s): a slow machine must not let it finish
      id = api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":20}}");
      awaitStatus(id, "RUNNING", Duration.ofSeconds(20));
      worker.sigterm();
      assertThat(worker.awaitExit(EXIT)).isZero();
    }
    JsonNode back = api.task(id);
    assertThat(back.path("status").asText()).isEqualTo("PENDING");
    assertThat(back.path("attempts").asInt()).isZero();
    try (TaskgateProcess other = sleepWorker("lifecycle-drain-other")) {
      JsonNode done = awaitStatus(id, "SUCCEEDED", Duration.ofSeconds(60));
      assertThat(done.path("attempts").asInt()).isEqualTo(1);
    }
  }

  @Test
  void a_task_whose_worker_is_killed_completes_on_another_with_one_callback() throws Exception {
    try (CallbackReceiver receiver = new CallbackReceiver()) {
      String path = "/hooks/" + UUID.randomUUID();
      String id;
      try (TaskgateProcess worker = sleepWorker("lifecycle-kill")) {
        id = api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":4},\"callbackUrl\":\"" + receiver.url(path) + "\"}");
        awaitStatus(id, "RUNNING", Duration.ofSeconds(20));
        worker.kill9();
      }
      try (TaskgateProcess other = sleepWorker("lifecycle-kill-other")) {
        JsonNode done = awaitStatus(id, "SUCCEEDED", Duration.ofSeconds(60));
        assertThat(done.path("attempts").asInt()).isEqualTo(2);
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received(path).size() >= 1);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> receiver.received(path).size() == 1);
    }
  }

  @Test
  void a_task_that_kills_its_worker_every_time_ends_failed_after_max_attempts() throws Exception {
    String id = api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":60}}");
    for (int attempt = 1; attempt <= 3; attempt++) {
      try (TaskgateProcess worker = sleepWorker("lifecycle-crashloop-" + attempt)) {
        int expected = attempt;
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
          JsonNode t = api.task(id);
          return t.path("status").asText().equals("RUNNING") && t.path("attempts").asInt() == expected;
        });
        worker.kill9(); // as an OOM kill would
      }
    }
    JsonNode failed = awaitStatus(id, "FAILED", Duration.ofSeconds(30));
    assertThat(failed.path("attempts").asInt()).isEqualTo(3);
    assertThat(failed.path("error").path("type").asText()).isEqualTo("worker-lost");
  }

  @Test
  void a_one_shot_worker_interrupted_by_sigterm_resumes_from_its_checkpoint_in_the_next_run() throws Exception {
    String id = api.submitOk("{\"type\":\"steps\",\"input\":{\"steps\":6,\"stepSeconds\":1}}");
    List<String> oneShot = List.of("--taskgate.worker.one-shot=true", "--taskgate.worker.types=steps",
        "--taskgate.worker.drain-timeout=1s");
    try (TaskgateProcess first = worker("lifecycle-oneshot-1", oneShot.toArray(String[]::new))) {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> api.task(id).path("progress").path("percent").asInt(0) >= 33);
      first.sigterm();
      assertThat(first.awaitExit(EXIT)).isZero();
    }
    JsonNode between = api.task(id);
    assertThat(between.path("status").asText()).isEqualTo("PENDING");
    assertThat(between.path("attempts").asInt()).isZero();

    TaskgateProcess second = TaskgateProcess.launch("lifecycle-oneshot-2-" + broker(), args(
        "--taskgate.roles=worker", "--taskgate.worker.one-shot=true", "--taskgate.worker.types=steps"));
    try (second) {
      assertThat(second.awaitExit(EXIT)).isZero();
    }
    JsonNode done = api.task(id);
    assertThat(done.path("status").asText()).isEqualTo("SUCCEEDED");
    int resumedAt = done.path("result").path("resumedAt").asInt();
    assertThat(resumedAt).isGreaterThanOrEqualTo(2);
    Set<Integer> secondRun = new HashSet<>();
    done.path("result").path("stepsDoneInThisRun").forEach(s -> secondRun.add(s.asInt()));
    // the steps before the checkpoint were not done again; the rest were done exactly once
    assertThat(secondRun).allSatisfy(step -> assertThat(step).isGreaterThanOrEqualTo(resumedAt));
    assertThat(secondRun).hasSize(6 - resumedAt);
  }

  @Test
  void a_one_shot_worker_without_a_task_exits_0() throws Exception {
    TaskgateProcess idle = TaskgateProcess.launch("lifecycle-oneshot-idle-" + broker(), args(
        "--taskgate.roles=worker", "--taskgate.worker.one-shot=true", "--taskgate.worker.types=steps",
        "--taskgate.worker.one-shot-idle-timeout=2s"));
    try (idle) {
      assertThat(idle.awaitExit(EXIT)).isZero();
    }
  }
}
