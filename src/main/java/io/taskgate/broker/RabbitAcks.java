package io.taskgate.broker;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Manual acknowledgements for the {@code rabbitmq-task-source} kamelet: a message is acknowledged
 * only after the task's new state is committed (at claim for long tasks, whose lease then owns
 * them), dead-lettered when poison, requeued when its format is unknown here or processing failed.
 */
@Component("rabbitAcks")
public class RabbitAcks {

  static final String SETTLED = "taskgate.settled";

  /** Acknowledges now (long tasks, after the claim) unless already settled. */
  public void ack(Exchange exchange) throws IOException {
    settle(exchange, Settlement.ACK);
  }

  /** Called last, also after a failure: settles the message according to what happened. */
  public void settle(Exchange exchange) throws IOException {
    String outcome = exchange.getProperty(BrokerTasks.OUTCOME, String.class);
    if ("poison".equals(outcome)) {
      settle(exchange, Settlement.DEAD_LETTER);
    } else if ("requeue".equals(outcome) || exchange.getException() != null
        || exchange.getProperty(Exchange.EXCEPTION_CAUGHT) != null) {
      settle(exchange, Settlement.REQUEUE);
    } else {
      settle(exchange, Settlement.ACK);
    }
  }

  private enum Settlement { ACK, DEAD_LETTER, REQUEUE }

  private void settle(Exchange exchange, Settlement how) throws IOException {
    if (exchange.getProperty(SETTLED, false, Boolean.class)) {
      return;
    }
    Channel channel = exchange.getProperty("CamelSpringRabbitmqChannel", Channel.class);
    Long tag = exchange.getIn().getHeader("CamelSpringRabbitmqDeliveryTag", Long.class);
    if (channel == null || tag == null) {
      throw new IllegalStateException("no RabbitMQ channel / delivery tag: is acknowledgeMode=MANUAL?");
    }
    switch (how) {
      case ACK -> channel.basicAck(tag, false);
      case DEAD_LETTER -> channel.basicNack(tag, false, false);
      case REQUEUE -> channel.basicNack(tag, false, true);
    }
    exchange.setProperty(SETTLED, true);
  }
}
