package io.taskgate.worker;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * The process's exit status. The JVM exits with 143 after SIGTERM; Taskgate closes its context
 * (draining the worker) in its own shutdown hook and then exits deliberately: 0 when everything was
 * recorded (a task finished, failed, or was given back to the queue), 1 when it could not be.
 */
public final class ProcessExit {

  private static volatile int status;

  private ProcessExit() {}

  public static void failed() {
    status = 1;
  }

  /** Installed by {@code main}: close the application, then exit with the recorded status. */
  public static void closeAndHalt(ConfigurableApplicationContext context) {
    try {
      context.close();
    } catch (Throwable e) {
      e.printStackTrace();
      status = 1;
    }
    Runtime.getRuntime().halt(status);
  }
}
