package io.taskgate.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * A task type as declared by one {@code routes/tasks/*.camel.yaml} file (an instance of the
 * {@code task-worker} route template).
 *
 * @param handler a Spring bean name implementing {@code TaskHandler}, or an http(s) URL
 * @param inputSchema JSON Schema of the input, or null
 */
public record TaskType(
    String name,
    String handler,
    TaskMode mode,
    int concurrency,
    Duration timeout,
    int maxAttempts,
    Duration backoff,
    Duration maxBackoff,
    JsonNode inputSchema) {

  /** Delay before attempt {@code attempt + 1}: exponential from {@link #backoff}, capped. */
  public Duration retryDelay(int attempt) {
    long factor = 1L << Math.min(Math.max(attempt - 1, 0), 20);
    Duration delay = backoff.multipliedBy(factor);
    return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
  }
}
