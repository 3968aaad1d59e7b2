package io.taskgate.broker;

import io.taskgate.config.TaskgateProperties;
import io.taskgate.worker.WorkerShutdown;
import java.time.Duration;
import org.apache.camel.Ordered;
import org.apache.camel.component.springrabbit.SpringRabbitMQComponent;
import org.apache.camel.spi.ComponentCustomizer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * On SIGTERM the RabbitMQ listener containers stop with the worker's drain, not before it. A
 * container waits {@code shutdownTimeout} for the runs on its consumer threads, then interrupts
 * them and closes their channels. Camel's default, 5 s, cut every run still going 5 s after SIGTERM
 * (an OCR request, a long step) well within {@code taskgate.worker.drain-timeout}: the handler saw
 * an InterruptedException and the attempt counted as failed (RabbitWorkerLifecycleIT). Now the
 * containers wait as long as {@link WorkerShutdown} may (drain, then a step's grace), plus a second
 * for the task it gives back to reach its ack; the interrupt stays as the last resort against a
 * handler that ignores both.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "taskgate.broker", havingValue = "rabbitmq")
class RabbitListenerShutdown {

  static final Duration MARGIN = Duration.ofSeconds(1);

  @Bean
  ComponentCustomizer rabbitListenerShutdownTimeout(TaskgateProperties properties) {
    long millis = WorkerShutdown.longestDrain(properties).plus(MARGIN).toMillis();
    // last: camel-spring-boot's own customizer of the component copies every
    // camel.component.spring-rabbitmq.* setting, defaults included (shutdownTimeout 5000). With the
    // same order as ours (0) which ran last was not fixed: the drain scenario passed in one run
    // and failed in the next
    return ComponentCustomizer.builder(SpringRabbitMQComponent.class)
        .withOrder(Ordered.LOWEST)
        .build(rabbit -> rabbit.setShutdownTimeout(millis));
  }
}
