package io.taskgate.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskgate.task.Task;
import io.taskgate.task.TaskStatus;
import java.time.Instant;
import java.util.UUID;

/** The task as callers see it. Members that do not apply are null. */
public record TaskView(
    UUID id,
    String type,
    TaskStatus status,
    int attempts,
    Instant createdAt,
    Instant updatedAt,
    Instant startedAt,
    Instant finishedAt,
    Progress progress,
    JsonNode result,
    Error error,
    Callback callback,
    Links links) {

  public record Progress(Integer percent, String message) {}

  public record Error(String type, String message) {}

  public record Links(String self) {}

  public record Callback(String url, String status, int attempts, String lastError) {}

  public static String selfLink(UUID id) {
    return "/api/v1/tasks/" + id;
  }

  public static TaskView of(Task task) {
    Progress progress =
        task.progressPercent() == null && task.progressMessage() == null
            ? null
            : new Progress(task.progressPercent(), task.progressMessage());
    Error error =
        task.errorType() == null ? null : new Error(task.errorType(), task.errorMessage());
    return new TaskView(
        task.id(),
        task.type(),
        task.status(),
        task.attempts(),
        task.createdAt(),
        task.updatedAt(),
        task.startedAt(),
        task.finishedAt(),
        progress,
        task.status() == TaskStatus.SUCCEEDED ? task.result() : null,
        error,
        task.callback() == null ? null : new Callback(task.callback().url(), task.callback().status(),
            task.callback().attempts(), task.callback().lastError()),
        new Links(selfLink(task.id())));
  }
}
