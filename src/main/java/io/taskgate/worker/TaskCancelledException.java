package io.taskgate.worker;

/** Thrown by a handler (or {@link TaskContext#throwIfCancelled()}) to stop a cancelled task. */
public class TaskCancelledException extends RuntimeException {
  public TaskCancelledException() {
    super("cancelled", null, false, false);
  }
}
