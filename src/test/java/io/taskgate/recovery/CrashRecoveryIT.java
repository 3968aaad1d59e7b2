package io.taskgate.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskgate.support.ApiClient;
import io.taskgate.support.CallbackReceiver;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import io.taskgate.support.Postgres;
import io.taskgate.support.TaskgateProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nothing accepted is lost on a crash: tasks submitted before a {@code kill -9} of the application,
 * running ones included, complete after it restarts on the same state store.
 */
class CrashRecoveryIT {

  static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Arguments> stores() throws Exception {
    Path h2 = Files.createTempDirectory("taskgate-crash-h2");
    return Stream.of(
        Arguments.of("h2-file", List.of(
            "--spring.datasource.url=jdbc:h2:file:" + h2.resolve("taskgate")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0"
                + ";DB_CLOSE_ON_EXIT=FALSE")),
        Arguments.of("postgresql", List.of(
            "--spring.datasource.url=" + Postgres.freshSchema("taskgate_crash_test"),
            "--spring.datasource.username=" + Postgres.USER)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void a_callback_not_yet_delivered_at_a_kill_9_is_delivered_after_the_restart(String store, List<String> db)
      throws Exception {
    List<String> args = new ArrayList<>(db);
    args.add("--taskgate.callbacks.retry-schedule=1s,1s,1s,1s,1s,1s,1s,1s,1s,1s");
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort(); // nothing listens there until the receiver starts below
    }
    String url = "http://127.0.0.1:" + port + "/hooks";
    Set<String> ids = new HashSet<>();
    try (TaskgateProcess first = TaskgateProcess.start("callback-" + store + "-1", args)) {
      ApiClient api = new ApiClient(first.baseUrl());
      for (int i = 0; i < 5; i++) {
        ids.add(api.submitOk("{\"type\":\"echo\",\"input\":" + i + ",\"callbackUrl\":\"" + url + "\"}"));
      }
      // finished, and each delivery tried and failed at least once: the receiver is down
      await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> {
        var view = api.task(id);
        return view.path("status").asText().equals("SUCCEEDED")
            && view.path("callback").path("attempts").asInt() >= 1;
      }));
      first.kill9();
    }
    try (CallbackReceiver receiver = new CallbackReceiver(port);
        TaskgateProcess second = TaskgateProcess.start("callback-" + store + "-2", args)) {
      ApiClient api = new ApiClient(second.baseUrl());
      await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream()
          .allMatch(id -> api.task(id).path("callback").path("status").asText().equals("DELIVERED")));
      Set<String> delivered = new HashSet<>();
      for (CallbackReceiver.Received hook : receiver.received("/hooks")) {
        delivered.add(JSON.readTree(hook.body()).path("data").path("id").asText());
      }
      assertThat(delivered).isEqualTo(ids);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void tasks_accepted_before_a_kill_9_complete_after_the_restart(String store, List<String> db)
      throws Exception {
    List<String> args = new ArrayList<>(db);
    // a short lease so that the restarted process takes the dead one's running tasks back quickly
    args.addAll(List.of("--taskgate.worker.lease=3s", "--taskgate.maintenance.reaper-period-ms=1000"));

    List<String> running = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    try (TaskgateProcess first = TaskgateProcess.start("crash-" + store + "-1", args)) {
      ApiClient api = new ApiClient(first.baseUrl());
      for (int i = 0; i < 4; i++) {
        running.add(api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":3}}"));
      }
      await().atMost(Duration.ofSeconds(30))
          .until(() -> running.stream().allMatch(id -> api.status(id).equals("RUNNING")));
      // the four sleep slots are busy: these wait, and the echo ones were accepted a moment ago
      for (int i = 0; i < 4; i++) {
        pending.add(api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":1}}"));
      }
      for (int i = 0; i < 20; i++) {
        pending.add(api.submitOk("{\"type\":\"echo\",\"input\":" + i + "}"));
      }
      first.kill9();
    }

    try (TaskgateProcess second = TaskgateProcess.start("crash-" + store + "-2", args)) {
      ApiClient api = new ApiClient(second.baseUrl());
      List<String> all = new ArrayList<>(running);
      all.addAll(pending);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .until(() -> all.stream().allMatch(id -> api.status(id).equals("SUCCEEDED")));
      // the attempt cut short by the crash counts: the running ones took a second attempt
      for (String id : running) {
        assertThat(api.task(id).path("attempts").asInt()).isEqualTo(2);
        assertThat(api.task(id).path("result").path("slept").asInt()).isEqualTo(3);
      }
    }
  }
}
