package io.taskgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taskgate.support.Postgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.camel.component.springrabbit.SpringRabbitMQComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/** The same scenarios with RabbitMQ (the machine's, 127.0.0.1:5672) and PostgreSQL state. */
@TestPropertySource(properties = "taskgate.broker=rabbitmq")
class RabbitTaskApiTest extends TaskApiScenarios implements PriorityScenarios, BrokerScenarios {

  @Autowired RabbitTemplate rabbit;
  @Autowired RabbitAdmin admin;

  @DynamicPropertySource
  static void postgres(DynamicPropertyRegistry registry) {
    Postgres.freshSchema("taskgate_rabbit_test", registry);
  }

  @ParameterizedTest
  @CsvSource({"wide, 12", "wide-long, 3"})
  void a_type_runs_as_many_tasks_at_once_as_its_concurrency_and_no_more(String type, int concurrency) {
    // extra-routes/: "wide" is short (12 consumers, each with prefetch 1), "wide-long" is long (its
    // messages are acknowledged at the claim, so the broker sends more while they run).
    // Either way: `concurrency` RUNNING, and the rest stay PENDING rather than start on another
    // thread (a 300 MB OCR run each: one more at once can be one too many for the pod).
    List<String> ids = IntStream.range(0, concurrency + 2)
        .mapToObj(i -> api.submitOk("{\"type\":\"" + type + "\",\"input\":{\"seconds\":60}}"))
        .toList();
    Supplier<Long> running = () -> ids.stream().filter(id -> api.status(id).equals("RUNNING")).count();
    await().atMost(TIMEOUT).until(running::get, n -> n == concurrency);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(running::get, n -> n == concurrency);
    ids.forEach(id -> api.delete("/api/v1/tasks/" + id));
    ids.forEach(id -> awaitStatus(id, "CANCELLED"));
  }

  @Test
  void the_listener_containers_wait_for_the_whole_drain_when_they_stop() {
    // RabbitWorkerLifecycleIT shows what this is for (a run past 5 s survives a SIGTERM); this
    // checks the setting in every start: drain-timeout 2 s (TaskApiScenarios) + a step's 5 s + 1 s
    SpringRabbitMQComponent rabbitmq = camel.getComponent("spring-rabbitmq", SpringRabbitMQComponent.class);
    assertThat(rabbitmq.getShutdownTimeout()).isEqualTo(8_000L);
  }

  @Override
  public void publishTaskMessage(String type, Map<String, String> headers, String body) {
    MessageProperties properties = new MessageProperties();
    headers.forEach(properties::setHeader);
    rabbit.send("taskgate.tasks", "tasks." + type, new Message(body.getBytes(StandardCharsets.UTF_8), properties));
  }

  @Override
  public List<BrokerMessage> deadLetters(String type, Duration wait) {
    List<BrokerMessage> found = new ArrayList<>();
    long deadline = System.currentTimeMillis() + wait.toMillis();
    while (found.isEmpty() && System.currentTimeMillis() < deadline) {
      Message m;
      while ((m = rabbit.receive("tasks." + type + ".dlq", 500)) != null) {
        found.add(toBrokerMessage(m));
      }
    }
    return found;
  }

  @Override
  public Supplier<List<BrokerMessage>> listenToEvents() {
    // a plain queue (an exclusive one belongs to one connection, and the template may use another)
    Queue queue = new Queue("test.events." + java.util.UUID.randomUUID(), false, false, false,
        // gone a minute after its test stops reading it: while it lives, every completion event of
        // anything using this RabbitMQ is stored in it too (bench/RESULTS.md run 14)
        Map.of("x-expires", 60_000));
    admin.declareQueue(queue);
    admin.declareBinding(BindingBuilder.bind(queue).to(new TopicExchange("taskgate.events")).with("task.#"));
    List<BrokerMessage> seen = new CopyOnWriteArrayList<>();
    return () -> {
      // what arrived so far (basic.get), up to 500 a call: while events keep coming the queue is
      // never empty
      Message m;
      for (int i = 0; i < 500 && (m = rabbit.receive(queue.getName())) != null; i++) {
        seen.add(toBrokerMessage(m));
      }
      return seen;
    };
  }

  private static BrokerMessage toBrokerMessage(Message m) {
    Map<String, String> headers = new java.util.HashMap<>();
    m.getMessageProperties().getHeaders().forEach((k, v) -> headers.put(k, String.valueOf(v)));
    return new BrokerMessage(headers, new String(m.getBody(), StandardCharsets.UTF_8));
  }
}
