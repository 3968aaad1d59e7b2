package io.taskgate.broker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
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
 * <p>Each element is an exchange built by the relay: body = JSON text; headers = the CloudEvents
 * {@code ce_*} attributes (and traceparent), plus {@code CamelSpringRabbitmqExchangeOverrideName},
 * {@code CamelSpringRabbitmqRoutingOverrideKey} and optionally {@code CamelSpringRabbitmqPriority}.
 */
@Component("rabbitPublisher")
public class RabbitPublisher {

  static final String EXCHANGE = "CamelSpringRabbitmqExchangeOverrideName";
  static final String ROUTING_KEY = "CamelSpringRabbitmqRoutingOverrideKey";
  static final String PRIORITY = "CamelSpringRabbitmqPriority";

  private final RabbitTemplate template;
  private final Duration confirmTimeout = Duration.ofSeconds(30);

  public RabbitPublisher(ConnectionFactory connectionFactory) {
    this.template = new RabbitTemplate(connectionFactory);
  }

  public void publishAll(List<Exchange> batch) {
    template.invoke(channel -> {
      for (Exchange element : batch) {
        var in = element.getIn();
        MessageProperties properties = new MessageProperties();
        properties.setContentType("application/json");
        properties.setContentEncoding(StandardCharsets.UTF_8.name());
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        Integer priority = in.getHeader(PRIORITY, Integer.class);
        if (priority != null) {
          properties.setPriority(priority);
        }
        for (Map.Entry<String, Object> header : in.getHeaders().entrySet()) {
          if (!header.getKey().startsWith("Camel")) {
            properties.setHeader(header.getKey(), header.getValue());
          }
        }
        byte[] body = in.getBody(String.class).getBytes(StandardCharsets.UTF_8);
        channel.send(in.getHeader(EXCHANGE, String.class), in.getHeader(ROUTING_KEY, String.class),
            new Message(body, properties));
      }
      channel.waitForConfirmsOrDie(confirmTimeout.toMillis());
      return null;
    });
  }
}
