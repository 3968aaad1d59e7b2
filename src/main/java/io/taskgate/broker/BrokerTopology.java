package io.taskgate.broker;

import io.taskgate.task.TaskType;
import java.util.Collection;

/** Declares a broker's queues / topics for the task types, before anything is published or consumed. */
public interface BrokerTopology {
  void declare(Collection<TaskType> types);
}
