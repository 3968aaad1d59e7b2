package io.taskgate.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskgate.worker.TaskContext;
import io.taskgate.worker.TaskHandler;
import org.springframework.stereotype.Component;

/** {@code echo}: the result is the input. */
@Component("echoHandler")
public class EchoHandler implements TaskHandler {
  @Override
  public JsonNode handle(JsonNode input, TaskContext context) {
    return input;
  }
}
