package io.taskgate.broker;

import com.rabbitmq.client.AMQP;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes a batch of outbox messages for the {@code rabbitmq-task-sink} kamelet: every message on
 * one channel, persistent, then one wait for all their publisher confirms. Either every message of
 * the batch is confirmed or the call fails (the relay then retries the whole batch; consumers drop
 * duplicates by task id). Waiting once per batch instead of once per message is what lets the relay
 * keep up with the API (RabbitMQ here: ~2.3k msg/s one confirm at a time, ~20k with confirms in
 * flight).
 *
 * <p>On the publisher connection ({@link RabbitTemplate#setUsePublisherConnection}), apart from
 * the one the task consumers receive and acknowledge on: when RabbitMQ raises a memory or disk
 * alarm it blocks every connection that publishes, and a consumer sharing that connection could no
 * longer acknowledge, so the queues that would relieve the alarm would not drain. Apart, the
 * consumers' acknowledgements also do not queue behind the relay's batches for the socket.
 *
 * <p>Confirms are the channel's own ({@code spring.rabbitmq.publisher-confirm-type=simple}: the
 * client counts the unconfirmed publishes and {@code waitForConfirmsOrDie} waits for them): the
 * relay needs one answer per batch, not a callback per message, and the message goes to
 * {@code basicPublish} as built here, without Spring AMQP's per-message correlation record and
 * property conversion (together ~a quarter of the relay threads' CPU in a flood, JFR,
 * bench/RESULTS.md run 23).
 *
 * <p>Each element is an exchange built by the relay: body = JSON text; headers = the CloudEvents
 * {@code ce_*} attributes (and traceparent), plus {@code CamelSpringRabbitmqExchangeOverrideName},
 * {@code CamelSpringRabbitmqRoutingOverrideKey} and optionally {@code CamelSpringRabbitmqPriority}.
 */
@Component("rabbitPublisher")
public class RabbitPublisher {

  static final String EXCHANGE = "CamelSpringRabbitmqExchangeOverrideName";
  static final String ROUTING_KEY = "CamelSpringRabbitmqRoutingOverrideKey";
  static final String PRIORITY = "CamelSpringRabbitmqPriority";
  private static final int PERSISTENT = 2;

  private final RabbitTemplate template;
  private final Duration confirmTimeout = Duration.ofSeconds(30);

  public RabbitPublisher(ConnectionFactory connectionFactory) {
    this.template = new RabbitTemplate(connectionFactory);
    this.template.setUsePublisherConnection(true);
  }

  public void publishAll(List<Exchange> batch) {
    template.execute(channel -> {
      for (Exchange element : batch) {
        var in = element.getIn();
        Map<String, Object> headers = new HashMap<>();
        for (Map.Entry<String, Object> header : in.getHeaders().entrySet()) {
          if (!header.getKey().startsWith("Camel")) {
            headers.put(header.getKey(), header.getValue());
          }
        }
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .contentEncoding("UTF-8")
            .deliveryMode(PERSISTENT)
            .priority(in.getHeader(PRIORITY, Integer.class))
            .headers(headers)
            .build();
        byte[] body = in.getBody(String.class).getBytes(StandardCharsets.UTF_8);
        channel.basicPublish(in.getHeader(EXCHANGE, String.class), in.getHeader(ROUTING_KEY, String.class),
            false, properties, body);
      }
      channel.waitForConfirmsOrDie(confirmTimeout.toMillis());
      return null;
    });
  }
}
