package io.taskgate.task;

/** Short tasks run on long-lived workers; long tasks run one per process (a KEDA ScaledJob). */
public enum TaskMode {
  SHORT,
  LONG;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
