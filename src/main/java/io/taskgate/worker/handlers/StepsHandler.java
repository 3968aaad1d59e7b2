package io.taskgate.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskgate.worker.TaskContext;
import io.taskgate.worker.TaskHandler;
import org.springframework.stereotype.Component;

/**
 * {@code steps}: an interruptible long task. Input {@code {"steps": n, "stepSeconds": s}}: does n
 * steps of s seconds, checkpointing after each one. Stopped (SIGTERM, cancellation) between steps,
 * the task goes back to the queue and the next run resumes after the last checkpoint. The result
 * lists the steps this run did and where it resumed, so that redone work shows.
 */
@Component("stepsHandler")
public class StepsHandler implements TaskHandler {

  @Override
  public JsonNode handle(JsonNode input, TaskContext context) throws InterruptedException {
    int steps = input.path("steps").asInt();
    long stepMillis = input.path("stepSeconds").asLong(1) * 1000;
    JsonNode checkpoint = context.lastCheckpoint();
    int resumeAt = checkpoint == null ? 0 : checkpoint.path("next").asInt();
    ArrayNode done = JsonNodeFactory.instance.arrayNode();
    for (int step = resumeAt; step < steps; step++) {
      context.throwIfCancelled();
      context.progress(step * 100 / steps, "step " + (step + 1) + " of " + steps);
      Thread.sleep(stepMillis);
      done.add(step);
      context.checkpoint(JsonNodeFactory.instance.objectNode().put("next", step + 1));
    }
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.put("resumedAt", resumeAt);
    result.set("stepsDoneInThisRun", done);
    return result;
  }
}
