package io.taskgate.worker;

import io.taskgate.task.TaskType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.stereotype.Component;

/**
 * Finds the handler a task type names: an {@code http://} or {@code https://} URL becomes an
 * {@link HttpTaskHandler}; anything else is the name of a {@link TaskHandler} bean.
 */
@Component
public class TaskHandlers {

  private final BeanFactory beans;
  private final Map<String, TaskHandler> byType = new ConcurrentHashMap<>();

  public TaskHandlers(BeanFactory beans) {
    this.beans = beans;
  }

  public TaskHandler forType(TaskType type) {
    return byType.computeIfAbsent(type.name(), name -> resolve(type));
  }

  private TaskHandler resolve(TaskType type) {
    String handler = type.handler();
    if (handler.startsWith("http://") || handler.startsWith("https://")) {
      return new HttpTaskHandler(handler, type.timeout());
    }
    return beans.getBean(handler, TaskHandler.class);
  }
}
