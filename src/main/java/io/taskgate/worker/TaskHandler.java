package io.taskgate.worker;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The work of one task type, in plain Java: no Camel, no broker. Return the result (any JSON, or
 * null). Throw {@link TaskFailure#permanent} for input that will never work; any other exception is
 * retried with backoff until the type's max attempts. Long work should call
 * {@link TaskContext#progress} and stop when {@link TaskContext#isCancelled()} turns true (the thread
 * is also interrupted).
 */
@FunctionalInterface
public interface TaskHandler {
  JsonNode handle(JsonNode input, TaskContext context) throws Exception;
}
