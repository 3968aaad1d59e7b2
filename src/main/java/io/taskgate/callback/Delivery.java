package io.taskgate.callback;

import java.util.UUID;

/** A claimed callback delivery: the task's terminal event to send to {@code url}. */
record Delivery(UUID taskId, String eventType, String url, int attempts) {

  /** The Standard Webhooks message id: the same for every attempt of this task's terminal event. */
  String messageId() {
    return "msg_" + taskId.toString().replace("-", "");
  }
}
