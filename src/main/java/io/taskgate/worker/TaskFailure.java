package io.taskgate.worker;

/**
 * A failure with a stable {@code type} for the task view's {@code error.type}. Retryable failures
 * are tried again with backoff; permanent ones end the task FAILED at once.
 */
public class TaskFailure extends RuntimeException {

  private final String type;
  private final boolean retryable;

  private TaskFailure(String type, String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.type = type;
    this.retryable = retryable;
  }

  public static TaskFailure retryable(String type, String message) {
    return new TaskFailure(type, message, true, null);
  }

  public static TaskFailure permanent(String type, String message) {
    return new TaskFailure(type, message, false, null);
  }

  public String type() {
    return type;
  }

  public boolean retryable() {
    return retryable;
  }
}
