package io.taskgate.api;

import io.taskgate.support.Postgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
    Map<String, String> headers = new java.util.HashMap<>();
    r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
    return new BrokerMessage(headers, r.value());
  }
}
