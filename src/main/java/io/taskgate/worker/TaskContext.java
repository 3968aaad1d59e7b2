package io.taskgate.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;

/** What a handler may know and do about the task it runs. */
public interface TaskContext {

  UUID taskId();

  /** 1 for the first run, 2 for the first retry, ... */
  int attempt();

  /** Shows in the task view while the task runs. */
  void progress(int percent, String message);

  /** True once the task was cancelled, timed out, or this worker is giving it back. */
  boolean isCancelled();

  /** Throws {@link TaskCancelledException} when {@link #isCancelled()}; call it between steps. */
  default void throwIfCancelled() {
    if (isCancelled()) {
      throw new TaskCancelledException();
    }
  }

  /** Persists a small JSON state with the task; a later attempt resumes from it. */
  void checkpoint(JsonNode state);

  /** The state of the last {@link #checkpoint}, or null. */
  JsonNode lastCheckpoint();
}
