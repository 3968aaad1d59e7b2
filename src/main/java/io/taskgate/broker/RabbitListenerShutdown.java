package io.taskgate.broker;

import io.taskgate.config.TaskgateProperties;
import io.taskgate.worker.WorkerShutdown;
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
 * containers wait {@link WorkerShutdown#consumerStopTimeout}, over any
 * {@code camel.component.spring-rabbitmq.shutdown-timeout}; the interrupt stays as the last resort
 * against a handler that ignores both the drain and the request to stop after its step.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "taskgate.broker", havingValue = "rabbitmq")
class RabbitListenerShutdown {

  @Bean
  ComponentCustomizer rabbitListenerShutdownTimeout(TaskgateProperties properties) {
    long millis = WorkerShutdown.consumerStopTimeout(properties).toMillis();
    // last: camel-spring-boot's own customizer of the component copies every
    // camel.component.spring-rabbitmq.* setting, defaults included (shutdownTimeout 5000). With the
    // same order as ours (0) which ran last was not fixed: the drain scenario passed in one run
    // and failed in the next
    return ComponentCustomizer.builder(SpringRabbitMQComponent.class)
        .withOrder(Ordered.LOWEST)
        .build(rabbit -> rabbit.setShutdownTimeout(millis));
  }
}
