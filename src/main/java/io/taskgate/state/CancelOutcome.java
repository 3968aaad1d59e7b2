package io.taskgate.state;

/** What a cancellation request did. */
public enum CancelOutcome {
  /** the task was PENDING and is CANCELLED now */
  CANCELLED,
  /** the task is RUNNING; its handler is asked to stop and it will end CANCELLED */
  REQUESTED,
  /** the task had already finished */
  ALREADY_FINISHED,
  NOT_FOUND
}
