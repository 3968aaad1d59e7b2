package io.taskgate.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.taskgate.worker.TaskCancelledException;
import io.taskgate.worker.TaskContext;
import io.taskgate.worker.TaskHandler;
import org.springframework.stereotype.Component;

/**
 * {@code sleep}: waits {@code input.seconds}, reports progress each second and stops at once when
 * cancelled. Stands in for slow work (an OCR page, a capture).
 */
@Component("sleepHandler")
public class SleepHandler implements TaskHandler {

  @Override
  public JsonNode handle(JsonNode input, TaskContext context) throws InterruptedException {
    int seconds = input.path("seconds").asInt();
    for (int done = 0; done < seconds; done++) {
      context.throwIfCancelled();
      context.progress(done * 100 / seconds, "slept " + done + " of " + seconds + " s");
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        if (context.isCancelled()) {
          throw new TaskCancelledException();
        }
        throw e;
      }
    }
    context.progress(100, "slept " + seconds + " of " + seconds + " s");
    return JsonNodeFactory.instance.objectNode().put("slept", seconds);
  }
}
