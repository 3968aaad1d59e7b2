package io.taskgate.broker;

import io.taskgate.task.TaskTypeRegistry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.stereotype.Component;

/**
 * Declares the broker topology once it can: the outbox relay asks before each round (it must never
 * publish to an undeclared queue, where RabbitMQ would drop the message) and workers ask at start.
 * A broker that is down at startup does not stop Taskgate: the next call tries again.
 */
@Component
public class TopologyGuard {

  private static final Logger log = LoggerFactory.getLogger(TopologyGuard.class);

  private final List<BrokerTopology> topologies;
  private final TaskTypeRegistry types;
  private volatile boolean declared;

  public TopologyGuard(List<BrokerTopology> topologies, TaskTypeRegistry types) {
    this.topologies = topologies;
    this.types = types;
  }

  /** True when the topology is declared (or there is none: the database queue). */
  public boolean ensureDeclared() {
    if (declared) {
      return true;
    }
    synchronized (this) {
      if (!declared) {
        try {
          topologies.forEach(t -> t.declare(types.all()));
          declared = true;
          if (!topologies.isEmpty()) {
            log.info("broker topology declared for task types {}", types.all().stream().map(t -> t.name()).toList());
          }
        } catch (RuntimeException e) {
          // the cause, not the wrapper: "PRECONDITION_FAILED - inequivalent arg 'x-max-priority'"
          // (a queue declared earlier with other arguments) is as likely as an unreachable broker
          log.warn("broker topology not declared yet, will retry: {}",
              NestedExceptionUtils.getMostSpecificCause(e).toString());
        }
      }
      return declared;
    }
  }
}
