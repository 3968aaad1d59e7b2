package io.taskgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskgate.state.NewTask;
import io.taskgate.state.TaskStore;
import io.taskgate.config.TaskgateProperties;
import io.taskgate.task.ClaimedTask;
import io.taskgate.task.TaskFinishes;
import io.taskgate.task.TaskIds;
import io.taskgate.task.TaskStatus;
import io.taskgate.task.TaskTypeRegistry;
import io.taskgate.worker.OneShotMode;
import io.taskgate.worker.RunningTasks;
import io.taskgate.worker.TaskHandlers;
import io.taskgate.worker.TaskRunner;
import io.taskgate.worker.WorkerGate;
import io.taskgate.support.ApiClient;
import io.taskgate.support.CallbackReceiver;
import io.taskgate.support.WorkerService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The level-1 API, end to end: real HTTP, real routes, real workers, a real database. Subclasses
 * run the same scenarios on H2 (the embedded default) and on PostgreSQL.
 */
@CamelSpringBootTest
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      // an extra routes directory, as a mounted ConfigMap: it declares the remote-ocr type
      "taskgate.routes.dir=src/test/resources/extra-routes",
      "taskgate.callbacks.secret=" + ApiScenario.SECRET,
      // fast callback retries so that the scenarios see several attempts
      "taskgate.callbacks.retry-schedule=200ms,500ms,1s",
      "taskgate.callbacks.poll-period-ms=100",
      "taskgate.worker.drain-timeout=2s",
      // outbox batches of two: a stream of submissions from a test fills every batch
      // (BrokerScenarios), and a batch still publishes several messages before it waits for their
      // confirms (the default is 200: the scenarios would never fill one)
      "taskgate.outbox.batch-size=2",
      // every type but "parked", whose tasks therefore stay PENDING
      "taskgate.worker.types=echo,sleep,fail,remote-ocr,ordered,too-slow,steps,wide,wide-long"
    })
abstract class TaskApiScenarios implements ApiScenario, CallbackScenarios, IdempotencyScenarios {

  static final CallbackReceiver RECEIVER = startReceiver();

  @DynamicPropertySource
  static void workerService(DynamicPropertyRegistry registry) {
    registry.add("test.worker-service.port", () -> WorkerService.shared().port());
  }

  private static CallbackReceiver startReceiver() {
    try {
      return new CallbackReceiver();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public ApiClient api() {
    return api;
  }

  @Override
  public CallbackReceiver receiver() {
    return RECEIVER;
  }

  @Override
  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://localhost:" + port;
  }

  public org.apache.camel.CamelContext camel() {
    return camel;
  }

  /** Every submitted task is where a worker finds it: in the table, and published (empty outbox). */
  public void awaitQueued() {
    PriorityScenarios.until(() -> jdbc.sql("SELECT count(*) FROM outbox").query(Long.class).single() == 0);
  }


  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired TaskStore store;
  @Autowired org.apache.camel.CamelContext camel;
  @Autowired io.taskgate.maintenance.Maintenance maintenance;
  @Autowired TaskTypeRegistry types;
  @Autowired TaskHandlers handlers;
  @Autowired RunningTasks running;
  @Autowired OneShotMode oneShot;
  @Autowired TaskFinishes finishes;
  @Autowired TaskgateProperties properties;
  ApiClient api;

  @BeforeEach
  void client() {
    api = new ApiClient("http://localhost:" + port);
  }

  @Override
  public long storedTasks() {
    return jdbc.sql("SELECT count(*) FROM task").query(Long.class).single();
  }

  /** Outbox rows (messages not yet published) of one task. */
  public long outboxRows(String taskId) {
    return jdbc.sql("SELECT count(*) FROM outbox WHERE task_id = :id")
        .param("id", UUID.fromString(taskId)).query(Long.class).single();
  }

  /**
   * Stores a task as a submission does but never hands it to the outbox relay, as if the API
   * process died right after the commit; returns its id.
   */
  public String storeWithoutHandOver(String type) {
    UUID id = TaskIds.next();
    store.create(new NewTask(id, type, JSON.createObjectNode().put("handedOver", false), 0, 3, null, null));
    return id.toString();
  }


  @Test
  void an_echo_task_is_accepted_then_succeeds_with_its_input_as_result() {
    ApiClient.Response accepted = api.submit("{\"type\":\"echo\",\"input\":{\"hello\":\"world\",\"n\":[1,2]}}");

    assertThat(accepted.status()).isEqualTo(202);
    JsonNode view = accepted.json();
    String id = view.path("id").asText();
    // time-ordered (version 7): the primary key's inserts stay on its rightmost pages
    assertThat(UUID.fromString(id).version()).isEqualTo(7);
    assertThat(accepted.header("Location")).isEqualTo("/api/v1/tasks/" + id);
    assertThat(accepted.header("Retry-After")).isEqualTo("1");
    assertThat(accepted.contentType()).startsWith("application/json");
    // sent whole, with its length (not chunked): one write per answer
    assertThat(accepted.header("Content-Length"))
        .isEqualTo(String.valueOf(accepted.raw().body().getBytes(StandardCharsets.UTF_8).length));
    assertThat(accepted.header("Transfer-Encoding")).isNull();
    assertThat(view.path("status").asText()).isEqualTo("PENDING");
    assertThat(view.path("type").asText()).isEqualTo("echo");
    assertThat(view.path("links").path("self").asText()).isEqualTo("/api/v1/tasks/" + id);
    assertThat(view.has("result") && view.get("result").isNull()).isTrue();

    JsonNode done = awaitStatus(id, "SUCCEEDED");
    assertThat(done.path("result")).isEqualTo(JSON.createObjectNode().put("hello", "world")
        .set("n", JSON.createArrayNode().add(1).add(2)));
    assertThat(done.path("attempts").asInt()).isEqualTo(1);
    assertThat(done.path("error").isNull()).isTrue();
    Instant created = Instant.parse(done.path("createdAt").asText());
    Instant started = Instant.parse(done.path("startedAt").asText());
    Instant finished = Instant.parse(done.path("finishedAt").asText());
    assertThat(created).isBeforeOrEqualTo(started);
    assertThat(started).isBeforeOrEqualTo(finished);
    assertThat(done.path("finishedAt").asText()).endsWith("Z");
  }

  @Test
  void a_task_without_input_succeeds_with_a_null_result() {
    String id = api.submitOk("{\"type\":\"echo\"}");
    assertThat(awaitStatus(id, "SUCCEEDED").get("result").isNull()).isTrue();
  }

  @Test
  void a_sleep_task_reports_progress_and_can_be_cancelled_while_running() {
    String id = api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":30}}");
    await().atMost(TIMEOUT).until(() -> api.task(id).path("progress").path("percent").asInt(0) > 0);
    JsonNode running = api.task(id);
    assertThat(running.path("status").asText()).isEqualTo("RUNNING");
    assertThat(running.path("progress").path("message").asText()).startsWith("slept ");

    ApiClient.Response cancel = api.delete("/api/v1/tasks/" + id);
    assertThat(cancel.status()).isEqualTo(202);
    assertThat(cancel.json().path("id").asText()).isEqualTo(id);

    JsonNode cancelled = awaitStatus(id, "CANCELLED");
    assertThat(cancelled.path("finishedAt").isNull()).isFalse();
    assertThat(cancelled.path("result").isNull()).isTrue();
    assertThat(api.delete("/api/v1/tasks/" + id).status()).isEqualTo(409);
  }

  @Test
  void a_task_claimed_as_its_worker_shuts_down_is_given_back_without_running_or_counting_the_attempt() {
    // "parked" has no consumer here: this test claims its task itself, as a queue consumer
    // would have just before SIGTERM closed the worker's gate (DatabaseWorkerLifecycleIT met
    // that window: the handler was interrupted later and the attempt counted as failed)
    String id = api.submitOk("{\"type\":\"parked\",\"input\":{\"n\":1}}");
    ClaimedTask claimed = store.claimById(UUID.fromString(id), running.owner(), Duration.ofSeconds(60))
        .orElseThrow();
    WorkerGate shuttingDown = new WorkerGate(properties);
    shuttingDown.close();
    TaskRunner runner = new TaskRunner(types, handlers, running, store, oneShot, finishes, shuttingDown);

    assertThat(runner.run(claimed)).isEqualTo(TaskStatus.PENDING);
    JsonNode back = api.task(id);
    assertThat(back.path("status").asText()).isEqualTo("PENDING");
    assertThat(back.path("attempts").asInt()).isZero();
    assertThat(back.path("result").isNull()).isTrue(); // the echo handler did not run
  }

  @Test
  void a_pending_task_is_cancelled_at_once() {
    String pending = api.submitOk("{\"type\":\"parked\",\"input\":{}}");
    assertThat(api.status(pending)).isEqualTo("PENDING");

    ApiClient.Response cancel = api.delete("/api/v1/tasks/" + pending);
    assertThat(cancel.status()).isEqualTo(200);
    assertThat(cancel.json().path("status").asText()).isEqualTo("CANCELLED");
    JsonNode cancelled = api.task(pending);
    assertThat(cancelled.path("status").asText()).isEqualTo("CANCELLED");
    assertThat(cancelled.path("startedAt").isNull()).isTrue();
    assertThat(cancelled.path("attempts").asInt()).isZero();
    assertThat(api.delete("/api/v1/tasks/" + pending).status()).isEqualTo(409);
  }

  @Test
  void a_failing_task_is_retried_with_backoff_then_failed_after_three_attempts() {
    String id = api.submitOk("{\"type\":\"fail\",\"input\":{}}");
    JsonNode failed = awaitStatus(id, "FAILED");
    assertThat(failed.path("attempts").asInt()).isEqualTo(3);
    assertThat(failed.path("error").path("type").asText()).isEqualTo("example-failure");
    assertThat(failed.path("error").path("message").asText()).contains("attempt 3");
    // backoff 1 s then 2 s: three attempts cannot finish sooner than 3 s after the first start
    Duration span = Duration.between(Instant.parse(failed.path("startedAt").asText()),
        Instant.parse(failed.path("finishedAt").asText()));
    assertThat(span).isGreaterThanOrEqualTo(Duration.ofMillis(2900));
    assertThat(api.delete("/api/v1/tasks/" + id).status()).isEqualTo(409);
  }

  @Test
  void a_task_type_from_the_extra_routes_directory_runs_on_an_http_worker_service() {
    String id = api.submitOk("{\"type\":\"remote-ocr\",\"input\":{\"page\":\"p1.png\"}}");
    JsonNode done = awaitStatus(id, "SUCCEEDED");
    assertThat(done.path("result").path("text").asText()).isEqualTo("OCR of p1.png");
    assertThat(done.path("result").path("taskId").asText()).isEqualTo(id);
  }

  @Test
  void an_http_worker_answering_4xx_fails_the_task_at_once() {
    String id = api.submitOk("{\"type\":\"remote-ocr\",\"input\":{\"status\":422}}");
    JsonNode failed = awaitStatus(id, "FAILED");
    assertThat(failed.path("attempts").asInt()).isEqualTo(1);
    assertThat(failed.path("error").path("type").asText()).isEqualTo("http-422");
  }

  @Test
  void an_http_worker_answering_5xx_is_retried_until_max_attempts() {
    String id = api.submitOk("{\"type\":\"remote-ocr\",\"input\":{\"status\":503}}");
    JsonNode failed = awaitStatus(id, "FAILED");
    assertThat(failed.path("attempts").asInt()).isEqualTo(2);
    assertThat(failed.path("error").path("type").asText()).isEqualTo("http-503");
  }

  @Test
  void a_run_longer_than_the_type_timeout_is_interrupted_and_retried_then_failed() {
    String id = api.submitOk("{\"type\":\"too-slow\",\"input\":{\"seconds\":30}}");
    JsonNode failed = awaitStatus(id, "FAILED");
    assertThat(failed.path("attempts").asInt()).isEqualTo(2);
    assertThat(failed.path("error").path("type").asText()).isEqualTo("timeout");
    Duration span = Duration.between(Instant.parse(failed.path("startedAt").asText()),
        Instant.parse(failed.path("finishedAt").asText()));
    assertThat(span).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void a_checkpointing_long_task_runs_all_its_steps() {
    String id = api.submitOk("{\"type\":\"steps\",\"input\":{\"steps\":3,\"stepSeconds\":0}}");
    JsonNode done = awaitStatus(id, "SUCCEEDED");
    assertThat(done.path("result").path("resumedAt").asInt()).isZero();
    assertThat(done.path("result").path("stepsDoneInThisRun").size()).isEqualTo(3);
  }

  @Test
  void long_polling_answers_as_soon_as_the_task_is_finished() {
    String id = api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":1}}");
    ApiClient.Response polled = api.get("/api/v1/tasks/" + id + "?waitSeconds=30");
    assertThat(polled.status()).isEqualTo(200);
    assertThat(polled.json().path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(polled.json().path("result").path("slept").asInt()).isEqualTo(1);
  }

  @Test
  void many_open_long_polls_do_not_hold_up_other_requests() throws Exception {
    String running = api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":60}}");
    awaitStatus(running, "RUNNING");
    java.util.concurrent.ExecutorService pollers = java.util.concurrent.Executors.newFixedThreadPool(24);
    try {
      List<java.util.concurrent.Future<ApiClient.Response>> polls = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        polls.add(pollers.submit(() -> api.get("/api/v1/tasks/" + running + "?waitSeconds=20")));
      }
      // more open long-polls than the request executor's default 8 threads: still answered
      String echo = api.submitOk("{\"type\":\"echo\",\"input\":\"meanwhile\"}");
      assertThat(awaitStatus(echo, "SUCCEEDED").path("result").asText()).isEqualTo("meanwhile");
      assertThat(polls).noneMatch(java.util.concurrent.Future::isDone);
      assertThat(api.delete("/api/v1/tasks/" + running).status()).isEqualTo(202);
      for (var poll : polls) {
        assertThat(poll.get().json().path("status").asText()).isEqualTo("CANCELLED");
      }
    } finally {
      pollers.shutdownNow();
    }
  }

  @Test
  void long_polling_a_task_that_stays_running_answers_after_the_wait() {
    String id = api.submitOk("{\"type\":\"sleep\",\"input\":{\"seconds\":60}}");
    awaitStatus(id, "RUNNING");
    ApiClient.Response polled = api.get("/api/v1/tasks/" + id + "?waitSeconds=1");
    assertThat(polled.status()).isEqualTo(200);
    assertThat(polled.json().path("status").asText()).isEqualTo("RUNNING");
    api.delete("/api/v1/tasks/" + id);
    awaitStatus(id, "CANCELLED");
  }

  @Test
  void tasks_are_listed_newest_first_in_pages_filtered_by_type_and_status() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(api.submitOk("{\"type\":\"echo\",\"input\":" + i + "}"));
    }
    ids.forEach(id -> awaitStatus(id, "SUCCEEDED"));

    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      ApiClient.Response page = api.get("/api/v1/tasks?type=echo&status=SUCCEEDED&limit=2"
          + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(page.status()).isEqualTo(200);
      JsonNode items = page.json().path("items");
      assertThat(items.size()).isLessThanOrEqualTo(2);
      for (JsonNode item : items) {
        assertThat(item.path("type").asText()).isEqualTo("echo");
        assertThat(item.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(item.has("result")).isFalse();
        seen.add(item.path("id").asText());
      }
      cursor = page.json().path("nextCursor").isNull() ? null : page.json().path("nextCursor").asText();
    } while (cursor != null);

    // newest first: our five, in reverse order of submission, come before any older echo task
    List<String> newestFirst = new ArrayList<>(ids);
    java.util.Collections.reverse(newestFirst);
    assertThat(seen.subList(0, 5)).containsExactlyElementsOf(newestFirst);
    assertThat(new HashSet<>(seen)).hasSameSizeAs(seen);
  }

  @Test
  void every_route_has_an_id_and_a_description() {
    assertThat(camel.getRoutes()).isNotEmpty();
    camel.getRoutes().forEach(route -> {
      assertThat(route.getRouteId()).doesNotMatch("route\\d+");
      String uri = route.getEndpoint().getEndpointUri();
      if (!uri.startsWith("rest:") && !uri.startsWith("rest-api:")) {
        // routes Camel generates from the REST DSL carry their description in the OpenAPI
        // document (checked there), not on the route
        assertThat(route.getDescription()).as(route.getRouteId()).isNotBlank();
      }
    });
    assertThat(camel.getRoutes().stream().map(org.apache.camel.Route::getRouteId))
        .contains("ingress-submit-task", "ingress-get-task", "ingress-cancel-task", "worker-echo",
            "worker-echo-source", "maintenance-reap-leases", "maintenance-purge-finished");
  }

  @Test
  void finished_tasks_older_than_the_retention_are_deleted() {
    String old = api.submitOk("{\"type\":\"echo\",\"input\":\"old\"}");
    String recent = api.submitOk("{\"type\":\"echo\",\"input\":\"recent\"}");
    awaitStatus(old, "SUCCEEDED");
    awaitStatus(recent, "SUCCEEDED");
    jdbc.sql("UPDATE task SET finished_at = :at WHERE id = :id")
        .param("at", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusDays(8))
        .param("id", UUID.fromString(old))
        .update();

    assertThat(maintenance.purgeFinished()).isGreaterThanOrEqualTo(1);
    assertThat(api.get("/api/v1/tasks/" + old).status()).isEqualTo(404);
    assertThat(api.status(recent)).isEqualTo("SUCCEEDED");
  }

  @Test
  void task_types_are_listed_with_their_settings() {
    JsonNode items = api.get("/api/v1/task-types").json().path("items");
    Set<String> names = new HashSet<>();
    items.forEach(item -> names.add(item.path("name").asText()));
    assertThat(names).contains("echo", "sleep", "fail", "remote-ocr", "parked");
    JsonNode sleep = null;
    for (JsonNode item : items) {
      if (item.path("name").asText().equals("sleep")) {
        sleep = item;
      }
    }
    assertThat(sleep.path("mode").asText()).isEqualTo("short");
    assertThat(sleep.path("concurrency").asInt()).isEqualTo(4);
    assertThat(sleep.path("timeoutSeconds").asInt()).isEqualTo(3600);
    assertThat(sleep.path("maxAttempts").asInt()).isEqualTo(3);
    assertThat(sleep.path("inputSchema").path("required").get(0).asText()).isEqualTo("seconds");
  }

  @Test
  void every_bad_submission_gets_its_problem_and_stores_nothing() {
    long before = storedTasks();

    assertProblem(api.submit("{\"type\":\"echo\""), 400, "");
    assertProblem(api.submit("{\"type\":\"echo\"} trailing"), 400, "");
    assertProblem(api.submit("[{\"type\":\"echo\"}]"), 400, "");
    assertProblem(api.submit("\"echo\""), 400, "");
    assertProblem(api.submit(""), 400, "");
    assertProblem(api.submit("{\"input\":{}}"), 400, "/type");
    assertProblem(api.submit("{\"type\":42}"), 400, "/type");
    assertProblem(api.submit("{\"type\":\"no-such-type\"}"), 400, "/type");
    assertProblem(api.submit("{\"type\":\"echo\",\"colour\":\"red\"}"), 400, "/colour");
    assertProblem(api.submit("{\"type\":\"sleep\",\"input\":{\"seconds\":\"ten\"}}"), 400, "/input/seconds");
    assertProblem(api.submit("{\"type\":\"sleep\",\"input\":{}}"), 400, "/input");
    assertProblem(api.submit("{\"type\":\"sleep\"}"), 400, "/input");
    assertProblem(api.submit("{\"type\":\"echo\",\"callbackUrl\":\"ftp://example.com/x\"}"), 400, "/callbackUrl");
    assertProblem(api.submit("{\"type\":\"echo\",\"callbackUrl\":\"/relative/hook\"}"), 400, "/callbackUrl");
    assertProblem(api.submit("{\"type\":\"echo\",\"callbackUrl\":\"http://\"}"), 400, "/callbackUrl");
    assertProblem(api.submit("{\"type\":\"echo\",\"callbackUrl\":42}"), 400, "/callbackUrl");

    byte[] big = ("{\"type\":\"echo\",\"input\":\"" + "x".repeat(1_100_000) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    assertProblem(api.post("/api/v1/tasks", "application/json", big), 413, null);
    assertProblem(api.post("/api/v1/tasks", "text/plain", "{\"type\":\"echo\"}".getBytes()), 415, null);
    assertProblem(api.post("/api/v1/tasks", "application/x-www-form-urlencoded", "type=echo".getBytes()), 415, null);

    assertThat(storedTasks()).isEqualTo(before);
  }

  @Test
  void bad_reads_get_their_problem() {
    assertProblem(api.get("/api/v1/tasks/" + UUID.randomUUID()), 404, null);
    assertProblem(api.get("/api/v1/tasks/not-a-uuid"), 404, null);
    assertProblem(api.delete("/api/v1/tasks/" + UUID.randomUUID()), 404, null);
    assertProblem(api.delete("/api/v1/tasks/not-a-uuid"), 404, null);
    String id = api.submitOk("{\"type\":\"echo\"}");
    assertProblem(api.get("/api/v1/tasks/" + id + "?waitSeconds=61"), 400, "waitSeconds");
    assertProblem(api.get("/api/v1/tasks/" + id + "?waitSeconds=-1"), 400, "waitSeconds");
    assertProblem(api.get("/api/v1/tasks/" + id + "?waitSeconds=soon"), 400, "waitSeconds");
    assertProblem(api.get("/api/v1/tasks?limit=501"), 400, "limit");
    assertProblem(api.get("/api/v1/tasks?limit=0"), 400, "limit");
    assertProblem(api.get("/api/v1/tasks?cursor=bm90LWEtY3Vyc29y"), 400, "cursor");
    assertProblem(api.get("/api/v1/tasks?cursor=%25%25"), 400, "cursor");
    assertProblem(api.get("/api/v1/tasks?status=DONE"), 400, "status");
    assertThat(api.get("/api/v1/tasks?limit=500").status()).isEqualTo(200);
  }

  @Test
  void the_openapi_document_parses_and_lists_every_operation() throws Exception {
    ApiClient.Response doc = api.get("/api/v1/openapi.json");
    assertThat(doc.status()).isEqualTo(200);
    var result = new io.swagger.v3.parser.OpenAPIV3Parser().readContents(doc.raw().body(), null, null);
    assertThat(result.getMessages()).isEmpty();
    var paths = result.getOpenAPI().getPaths();
    assertThat(paths.get("/api/v1/tasks").getPost()).isNotNull();
    assertThat(paths.get("/api/v1/tasks").getGet()).isNotNull();
    assertThat(paths.get("/api/v1/tasks/{id}").getGet()).isNotNull();
    assertThat(paths.get("/api/v1/tasks/{id}").getDelete()).isNotNull();
    assertThat(paths.get("/api/v1/task-types").getGet()).isNotNull();
    Set<String> operationIds = new HashSet<>();
    paths.values().forEach(p -> p.readOperations().forEach(o -> operationIds.add(o.getOperationId())));
    assertThat(operationIds).containsExactlyInAnyOrder(
        "submitTask", "getTask", "listTasks", "listTaskTypes", "cancelTask");
    paths.values().forEach(p -> p.readOperations().forEach(o -> assertThat(o.getSummary()).isNotBlank()));
  }

  private static void assertProblem(ApiClient.Response response, int status, String pointer) {
    assertThat(response.status()).as(response.raw().body()).isEqualTo(status);
    assertThat(response.contentType()).startsWith("application/problem+json");
    JsonNode problem = response.json();
    assertThat(problem.path("status").asInt()).isEqualTo(status);
    assertThat(problem.path("type").asText()).isNotBlank();
    assertThat(problem.path("title").asText()).isNotBlank();
    assertThat(problem.path("detail").asText()).isNotBlank();
    if (pointer != null) {
      List<String> pointers = new ArrayList<>();
      problem.path("errors").forEach(e -> pointers.add(e.path("pointer").asText()));
      assertThat(pointers).as(problem.toString()).contains(pointer);
    }
  }
}
