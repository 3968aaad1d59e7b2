package io.taskgate.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskgate.worker.TaskContext;
import io.taskgate.worker.TaskFailure;
import io.taskgate.worker.TaskHandler;
import org.springframework.stereotype.Component;

/** {@code fail}: always fails with a retryable error, to show retries and the FAILED state. */
@Component("failHandler")
public class FailHandler implements TaskHandler {
  @Override
  public JsonNode handle(JsonNode input, TaskContext context) {
    throw TaskFailure.retryable("example-failure", "fail always fails (attempt " + context.attempt() + ")");
  }
}
