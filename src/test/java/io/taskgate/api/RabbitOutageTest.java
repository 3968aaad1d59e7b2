package io.taskgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taskgate.support.ApiClient;
import io.taskgate.support.Postgres;
import io.taskgate.support.TcpProxy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.annotation.DirtiesContext;

/**
 * RabbitMQ goes away (a TCP proxy between Taskgate and the real server is cut): submissions still
 * answer 202 and the API stays ready; once RabbitMQ is back, every task runs.
 */
@CamelSpringBootTest
// closed after the class: its workers share RabbitMQ's queues with the other RabbitMQ tests
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"taskgate.broker=rabbitmq", "taskgate.worker.types=echo"})
class RabbitOutageTest {

  static final TcpProxy PROXY = proxy();

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;

  static TcpProxy proxy() {
    try {
      return new TcpProxy("127.0.0.1", 5672);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    Postgres.freshSchema("taskgate_outage_test", registry);
    registry.add("spring.rabbitmq.port", PROXY::port);
  }

  @Test
  void tasks_submitted_while_rabbitmq_is_unreachable_all_run_once_it_is_back() {
    ApiClient api = new ApiClient("http://localhost:" + port);
    // warm: the broker path works before the outage
    String before = api.submitOk("{\"type\":\"echo\",\"input\":\"before\"}");
    await().atMost(Duration.ofSeconds(30)).until(() -> api.status(before).equals("SUCCEEDED"));

    PROXY.cut();
    List<String> ids = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        ids.add(api.submitOk("{\"type\":\"echo\",\"input\":" + i + "}"));
      }
      assertThat(api.get("/actuator/health/readiness").status()).isEqualTo(200);
      // nothing can be published meanwhile: the messages wait in the outbox
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
          .until(() -> outbox() >= 100);
      assertThat(ids).allSatisfy(id -> assertThat(api.status(id)).isEqualTo("PENDING"));
    } finally {
      PROXY.restore();
    }

    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .until(() -> ids.stream().allMatch(id -> api.status(id).equals("SUCCEEDED")));
    assertThat(ids).allSatisfy(id -> assertThat(api.task(id).path("attempts").asInt()).isEqualTo(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> outbox() == 0);
  }

  private long outbox() {
    return jdbc.sql("SELECT count(*) FROM outbox WHERE kind = 'task'").query(Long.class).single();
  }
}
