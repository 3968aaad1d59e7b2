package io.taskgate.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/** A task as stored. JSON members are parsed; absent values are null. */
public record Task(
    UUID id,
    String type,
    TaskStatus status,
    int priority,
    JsonNode input,
    JsonNode result,
    String errorType,
    String errorMessage,
    Integer progressPercent,
    String progressMessage,
    int attempts,
    int maxAttempts,
    boolean cancelRequested,
    Instant createdAt,
    Instant updatedAt,
    Instant startedAt,
    Instant finishedAt,
    CallbackState callback,
    String traceparent) {

  /**
   * The completion callback of a task that asked for one: {@code status} is PENDING (not yet
   * delivered), DELIVERED or FAILED (given up, or the receiver answered 410 Gone).
   */
  public record CallbackState(String url, String status, int attempts, String lastError) {}
}
