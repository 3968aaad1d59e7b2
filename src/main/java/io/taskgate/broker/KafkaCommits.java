package io.taskgate.broker;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.springframework.stereotype.Component;

/**
 * Manual offset commits for the {@code kafka-task-source} kamelet: a record's offset is committed
 * only after the task's new state is committed (at claim for long tasks), after a poison record was
 * copied to the dead-letter topic, and for duplicates. A record whose processing failed is not
 * committed: the task's lease expires and the reaper publishes it again.
 */
@Component("kafkaCommits")
public class KafkaCommits {

  static final String COMMITTED = "taskgate.committed";

  public void commit(Exchange exchange) {
    if (exchange.getProperty(COMMITTED, false, Boolean.class)
        || exchange.getException() != null || exchange.getProperty(Exchange.EXCEPTION_CAUGHT) != null
        || "requeue".equals(exchange.getProperty(BrokerTasks.OUTCOME, String.class))) {
      return;
    }
    KafkaManualCommit commit = exchange.getIn().getHeader("CamelKafkaManualCommit", KafkaManualCommit.class);
    if (commit == null) {
      throw new IllegalStateException("no CamelKafkaManualCommit header: is allowManualCommit=true?");
    }
    commit.commit();
    exchange.setProperty(COMMITTED, true);
  }
}
