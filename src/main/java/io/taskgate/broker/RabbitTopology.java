package io.taskgate.broker;

import static io.taskgate.broker.TaskMessages.DEAD_LETTER_EXCHANGE;
import static io.taskgate.broker.TaskMessages.EVENTS_EXCHANGE;
import static io.taskgate.broker.TaskMessages.TASKS_EXCHANGE;

import io.taskgate.task.TaskType;
import java.util.Collection;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * RabbitMQ topology, declared by every process (declarations are idempotent): a durable direct
 * exchange {@code taskgate.tasks}; per type a durable classic queue {@code tasks.<type>} with
 * {@code x-max-priority 9} that dead-letters to {@code tasks.<type>.dlq} through
 * {@code taskgate.dlx}; and the topic exchange {@code taskgate.events} for completion events.
 */
@Component
@ConditionalOnProperty(name = "taskgate.broker", havingValue = "rabbitmq")
public class RabbitTopology implements BrokerTopology {

  private final AmqpAdmin admin;

  public RabbitTopology(AmqpAdmin admin) {
    this.admin = admin;
  }

  @Override
  public void declare(Collection<TaskType> types) {
    DirectExchange tasks = new DirectExchange(TASKS_EXCHANGE, true, false);
    DirectExchange dlx = new DirectExchange(DEAD_LETTER_EXCHANGE, true, false);
    admin.declareExchange(tasks);
    admin.declareExchange(dlx);
    admin.declareExchange(new TopicExchange(EVENTS_EXCHANGE, true, false));
    for (TaskType type : types) {
      String name = TaskMessages.taskDestination(type.name());
      String dead = TaskMessages.deadLetterDestination(type.name());
      Queue deadQueue = QueueBuilder.durable(dead).build();
      admin.declareQueue(deadQueue);
      admin.declareBinding(BindingBuilder.bind(deadQueue).to(dlx).with(dead));
      Queue queue = QueueBuilder.durable(name)
          .maxPriority(9)
          .deadLetterExchange(DEAD_LETTER_EXCHANGE)
          .deadLetterRoutingKey(dead)
          .build();
      admin.declareQueue(queue);
      admin.declareBinding(BindingBuilder.bind(queue).to(tasks).with(name));
    }
  }
}
