package io.taskgate.callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskgate.config.TaskgateProperties;
import io.taskgate.ingress.TaskView;
import io.taskgate.state.TaskStore;
import io.taskgate.task.Task;
import io.taskgate.worker.WorkerIdentity;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Sends due completion callbacks; called by the {@code callback-dispatch} route of the api role.
 * Each round claims a batch (one replica per delivery attempt), POSTs the Standard Webhooks payload
 * of each in parallel, and records the outcome: 2xx delivered; 410 Gone stops for good; anything
 * else (3xx included: redirects are not followed), a timeout or a connection error is retried after
 * the next delay of {@code taskgate.callbacks.retry-schedule}, with jitter, until it is used up.
 */
@Component("callbackDispatcher")
public class CallbackDispatcher implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(CallbackDispatcher.class);
  static final String DEV_SECRET = "whsec_ZGV2LW9ubHktc2VjcmV0LWNoYW5nZS1tZQ==";

  private final CallbackDeliveries deliveries;
  private final TaskStore tasks;
  private final ObjectMapper json;
  private final WebhookSigner signer;
  private final String owner;
  private final TaskgateProperties.Callbacks settings;
  private final ExecutorService senders;
  private final HttpClient http;

  public CallbackDispatcher(CallbackDeliveries deliveries, TaskStore tasks, ObjectMapper json,
      WorkerIdentity identity, TaskgateProperties properties) {
    this.deliveries = deliveries;
    this.tasks = tasks;
    this.json = json;
    this.settings = properties.callbacks();
    this.signer = new WebhookSigner(settings.secret());
    if (DEV_SECRET.equals(settings.secret())) {
      log.warn("taskgate.callbacks.secret is the development default: set TASKGATE_CALLBACK_SECRET");
    }
    this.owner = identity.id();
    this.senders = Executors.newFixedThreadPool(settings.parallelism(), r -> {
      Thread t = new Thread(r, "taskgate-callback");
      t.setDaemon(true);
      return t;
    });
    // the client keeps its own executor: sharing the senders' pool, whose threads all block in
    // send(), starved the client's response handling under load (each round timed out)
    this.http = HttpClient.newBuilder()
        .connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Rounds while they come back full (a backlog is sent at once, not one batch per timer tick),
   * at most {@link #MAX_ROUNDS} per call; returns how many deliveries were attempted.
   */
  public int dispatchDue() throws InterruptedException {
    int total = 0;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      int sent = dispatchRound();
      total += sent;
      if (sent < settings.batchSize()) {
        break;
      }
    }
    return total;
  }

  static final int MAX_ROUNDS = 20;

  private int dispatchRound() throws InterruptedException {
    List<Delivery> batch = deliveries.claimDue(owner, settings.batchSize(),
        settings.timeout().plusSeconds(30));
    if (batch.isEmpty()) {
      return 0;
    }
    List<Callable<Void>> sends = batch.stream().<Callable<Void>>map(d -> () -> {
      send(d);
      return null;
    }).toList();
    senders.invokeAll(sends);
    return batch.size();
  }

  private void send(Delivery delivery) {
    Optional<Task> task = tasks.find(delivery.taskId());
    if (task.isEmpty()) {
      return; // deleted by retention meanwhile; its delivery row went with it
    }
    String error;
    try {
      String body = payload(delivery, task.get());
      long timestamp = Instant.now().getEpochSecond();
      HttpRequest request = HttpRequest.newBuilder(URI.create(delivery.url()))
          .timeout(settings.timeout())
          .header("Content-Type", "application/json")
          .header("User-Agent", "Taskgate-Webhooks/1")
          .header("webhook-id", delivery.messageId())
          .header("webhook-timestamp", Long.toString(timestamp))
          .header("webhook-signature", signer.sign(delivery.messageId(), timestamp, body))
          .POST(HttpRequest.BodyPublishers.ofString(body))
          .build();
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status >= 200 && status < 300) {
        deliveries.delivered(delivery, owner);
        return;
      }
      if (status == 410) {
        deliveries.failed(delivery, owner, "the receiver answered 410 Gone");
        return;
      }
      error = "the receiver answered HTTP " + status;
    } catch (IOException e) {
      error = "delivery failed: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return; // the claim expires and another round retries
    } catch (RuntimeException e) {
      error = "delivery failed: " + e;
    }
    int attempt = delivery.attempts() + 1;
    List<Duration> schedule = settings.retrySchedule();
    if (attempt > schedule.size()) {
      deliveries.failed(delivery, owner, "gave up after " + attempt + " attempts; last: " + error);
    } else {
      deliveries.retryLater(delivery, owner, error, Instant.now().plus(jitter(schedule.get(attempt - 1))));
    }
  }

  /** The Standard Webhooks payload: the event, when the task finished, and its view. */
  private String payload(Delivery delivery, Task task) throws IOException {
    ObjectNode payload = json.createObjectNode();
    payload.put("type", delivery.eventType());
    payload.put("timestamp", task.finishedAt().toString());
    ObjectNode data = json.valueToTree(TaskView.of(task));
    data.remove("callback");
    payload.set("data", data);
    return json.writeValueAsString(payload);
  }

  private static Duration jitter(Duration delay) {
    double factor = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis((long) (delay.toMillis() * factor));
  }

  @Override
  public void destroy() {
    senders.shutdownNow();
  }
}
