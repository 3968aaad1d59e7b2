package io.taskgate.task;

import java.util.Locale;
import java.util.Optional;

/**
 * The states of a task and the one table of legal transitions between them. Every state change in
 * the store asks this table first and then updates conditionally on the current status, so a late or
 * duplicate message can never move a task backwards or finish it twice.
 */
public enum TaskStatus {
  PENDING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean canMoveTo(TaskStatus next) {
    return switch (this) {
      case PENDING -> next == RUNNING || next == CANCELLED || next == FAILED;
      // back to PENDING: retry after a failed attempt, requeue on shutdown, lease expired
      case RUNNING -> next == SUCCEEDED || next == FAILED || next == CANCELLED || next == PENDING;
      case SUCCEEDED, FAILED, CANCELLED -> false;
    };
  }

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  /** Throws when {@code from -> to} is not in the table: a programming error, never user input. */
  public static void requireTransition(TaskStatus from, TaskStatus to) {
    if (!from.canMoveTo(to)) {
      throw new IllegalStateException("illegal task transition " + from + " -> " + to);
    }
  }

  public static Optional<TaskStatus> parse(String value) {
    try {
      return Optional.of(valueOf(value.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
