package io.taskgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taskgate.support.Postgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/** The same scenarios with Kafka (a real in-process KRaft broker) and PostgreSQL state. */
@EmbeddedKafka(kraft = true, partitions = 4)
// close this context (its Camel Kafka consumers, then the embedded broker) right after the class:
// left in the context cache until the JVM exits, its consumers hung in shutdown and surefire
// waited 30 s and killed the fork ("Surefire is going to kill self fork JVM"). No other class
// shares this context, so nothing is lost.
@DirtiesContext
@TestPropertySource(properties = {
    "taskgate.broker=kafka",
    "camel.component.kafka.brokers=${spring.embedded.kafka.brokers}"
})
class KafkaTaskApiTest extends TaskApiScenarios implements BrokerScenarios {

  @Value("${spring.embedded.kafka.brokers}") String brokers;

  @DynamicPropertySource
  static void postgres(DynamicPropertyRegistry registry) {
    Postgres.freshSchema("taskgate_kafka_test", registry);
  }

  // KEDA's Kafka scaler scales on the consumer group's lag (kubernetes/components/kafka): when the
  // tasks are done, every record's offset is committed and the lag is 0 ...
  @Test
  void once_its_tasks_finished_the_worker_group_has_no_lag_left() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(api().submitOk("{\"type\":\"echo\",\"input\":" + i + "}"));
    }
    ids.forEach(id -> awaitStatus(id, "SUCCEEDED"));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
      await().atMost(TIMEOUT)
          .untilAsserted(() -> assertThat(lag(admin, "taskgate.echo", "tasks.echo")).isZero());
    }
  }

  // ... and a long task's record is committed at its claim, so the ScaledJob does not start another
  // job for a task that is already running.
  @Test
  void a_long_task_is_committed_when_claimed_so_no_lag_is_left_while_it_runs() throws Exception {
    String id = api().submitOk("{\"type\":\"steps\",\"input\":{\"steps\":3,\"stepSeconds\":2}}");
    awaitStatus(id, "RUNNING");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
      await().atMost(Duration.ofSeconds(4))
          .untilAsserted(() -> assertThat(lag(admin, "taskgate.steps", "tasks.steps")).isZero());
    }
    assertThat(api().status(id)).as("still running when its lag was 0").isEqualTo("RUNNING");
    awaitStatus(id, "SUCCEEDED");
  }

  private static long lag(Admin admin, String group, String topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> ends = admin.listOffsets(latest).all().get().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).as("records on " + topic).isPositive();
    return ends.entrySet().stream()
        .mapToLong(e -> e.getValue() - Optional.ofNullable(committed.get(e.getKey()))
            .map(OffsetAndMetadata::offset).orElse(0L))
        .sum();
  }

  @Override
  public void publishTaskMessage(String type, Map<String, String> headers, String body) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      ProducerRecord<String, String> record = new ProducerRecord<>("tasks." + type, headers.get("ce_id"), body);
      headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
      producer.send(record).get();
    }
  }

  @Override
  public List<BrokerMessage> deadLetters(String type, Duration wait) {
    List<BrokerMessage> found = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = consumer()) {
      consumer.subscribe(List.of("tasks." + type + ".dlq"));
      long deadline = System.currentTimeMillis() + wait.toMillis();
      while (found.isEmpty() && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> found.add(toBrokerMessage(r)));
      }
    }
    return found;
  }

  @Override
  public Supplier<List<BrokerMessage>> listenToEvents() {
    KafkaConsumer<String, String> consumer = consumer();
    consumer.subscribe(List.of("taskgate.task-events"));
    List<BrokerMessage> seen = new CopyOnWriteArrayList<>();
    return () -> {
      consumer.poll(Duration.ofMillis(300)).forEach(r -> seen.add(toBrokerMessage(r)));
      return seen;
    };
  }

  private KafkaConsumer<String, String> consumer() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return new KafkaConsumer<>(p);
  }

  private static BrokerMessage toBrokerMessage(ConsumerRecord<String, String> r) {
    Map<String, String> headers = new HashMap<>();
    r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
    return new BrokerMessage(headers, r.value());
  }
}
