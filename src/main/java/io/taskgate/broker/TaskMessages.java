package io.taskgate.broker;

import java.util.Locale;

/**
 * The wire format of Taskgate's broker messages: CloudEvents 1.0 in binary mode, attributes as
 * {@code ce_}-prefixed headers on both brokers (the Kafka protocol binding's names; on RabbitMQ the
 * same names are used as AMQP application headers). A task message's body is
 * {@code {"taskId": "..."}}; the task's input stays in the state store.
 */
public final class TaskMessages {

  /** Bumped when a message changes incompatibly; workers requeue formats they do not know. */
  public static final int FORMAT_VERSION = 1;

  public static final String CE_SPECVERSION = "ce_specversion";
  public static final String CE_ID = "ce_id";
  public static final String CE_SOURCE = "ce_source";
  public static final String CE_TYPE = "ce_type";
  public static final String CE_TIME = "ce_time";
  public static final String CE_SUBJECT = "ce_subject";
  public static final String CE_DATACONTENTTYPE = "ce_datacontenttype";
  /** CloudEvents extension attribute carrying {@link #FORMAT_VERSION}. */
  public static final String CE_FORMAT = "ce_taskgateformat";
  public static final String TRACEPARENT = "traceparent";

  public static final String SOURCE = "/taskgate";
  public static final String TASKS_EXCHANGE = "taskgate.tasks";
  public static final String EVENTS_EXCHANGE = "taskgate.events";
  public static final String DEAD_LETTER_EXCHANGE = "taskgate.dlx";
  public static final String EVENTS_TOPIC = "taskgate.task-events";

  private TaskMessages() {}

  /** RabbitMQ queue and routing key, and Kafka topic, of a task type. */
  public static String taskDestination(String type) {
    return "tasks." + type;
  }

  /** RabbitMQ dead-letter queue / Kafka dead-letter topic of a task type. */
  public static String deadLetterDestination(String type) {
    return "tasks." + type + ".dlq";
  }

  /** CloudEvents type of a completion event, e.g. {@code io.taskgate.task.succeeded}. */
  public static String eventType(String status) {
    return "io.taskgate.task." + status.toLowerCase(Locale.ROOT);
  }

  /** RabbitMQ routing key of a completion event: {@code task.<type>.<status>}. */
  public static String eventRoutingKey(String type, String status) {
    return "task." + type + "." + status.toLowerCase(Locale.ROOT);
  }
}
