package io.taskgate.broker;

import io.taskgate.task.TaskType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Kafka topics, created when missing: per type {@code tasks.<type>} (partitions: at least the
 * type's concurrency, so that many consumers of one worker share the work) and
 * {@code tasks.<type>.dlq}; and {@code taskgate.task-events}.
 */
@Component
@ConditionalOnProperty(name = "taskgate.broker", havingValue = "kafka")
public class KafkaTopology implements BrokerTopology {

  private final String brokers;
  private final int partitions;
  private final short replication;

  public KafkaTopology(
      @Value("${camel.component.kafka.brokers}") String brokers,
      @Value("${taskgate.kafka.partitions:4}") int partitions,
      @Value("${taskgate.kafka.replication-factor:1}") short replication) {
    this.brokers = brokers;
    this.partitions = partitions;
    this.replication = replication;
  }

  @Override
  public void declare(Collection<TaskType> types) {
    List<NewTopic> topics = new ArrayList<>();
    for (TaskType type : types) {
      topics.add(new NewTopic(TaskMessages.taskDestination(type.name()),
          Math.max(partitions, type.concurrency()), replication));
      topics.add(new NewTopic(TaskMessages.deadLetterDestination(type.name()), 1, replication));
    }
    topics.add(new NewTopic(TaskMessages.EVENTS_TOPIC, partitions, replication));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
      for (NewTopic topic : topics) {
        try {
          admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create Kafka topic " + topic.name(), e.getCause());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka at " + brokers + " did not answer", e);
    }
  }
}
