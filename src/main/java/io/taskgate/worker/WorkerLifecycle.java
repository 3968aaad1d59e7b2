package io.taskgate.worker;

import io.taskgate.broker.TopologyGuard;
import io.taskgate.config.TaskgateProperties;
import io.taskgate.task.TaskType;
import io.taskgate.task.TaskTypeRegistry;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Starts the worker routes this process serves: none without the worker role, otherwise those of
 * {@code taskgate.worker.types} (every declared type when empty). Worker routes are declared with
 * {@code autoStartup: false} so that an api-only process knows every type without consuming any.
 */
@Component
public class WorkerLifecycle implements CamelContextConfiguration {

  private static final Logger log = LoggerFactory.getLogger(WorkerLifecycle.class);

  private final TaskgateProperties properties;
  private final TaskTypeRegistry types;
  private final TopologyGuard topology;

  public WorkerLifecycle(TaskgateProperties properties, TaskTypeRegistry types, TopologyGuard topology) {
    this.topology = topology;
    this.properties = properties;
    this.types = types;
  }

  @Override
  public void beforeApplicationStart(CamelContext camel) {}

  @Override
  public void afterApplicationStart(CamelContext camel) {
    List<String> wanted = properties.worker().types();
    for (String name : wanted) {
      if (types.find(name).isEmpty()) {
        throw new IllegalStateException("taskgate.worker.types names unknown task type '" + name + "'");
      }
    }
    if (!topology.ensureDeclared()) {
      Thread retry = new Thread(() -> {
        while (!topology.ensureDeclared()) {
          try {
            Thread.sleep(5000);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "taskgate-topology");
      retry.setDaemon(true);
      retry.start();
    }
    if (!properties.isWorker()) {
      log.info("worker role off: no task is consumed here");
      return;
    }
    for (RouteDefinition route : TaskTypeRegistry.workerRoutes(camel)) {
      Object type = route.getTemplateParameters().get("taskType");
      if (!(wanted.isEmpty() || wanted.contains(type.toString()))) {
        continue;
      }
      try {
        // the worker route first, then its source (a kamelet route): no message arrives unserved
        camel.getRouteController().startRoute(route.getRouteId());
        camel.getRouteController().startRoute(route.getRouteId() + "-source");
      } catch (Exception e) {
        throw new IllegalStateException("cannot start worker route " + route.getRouteId(), e);
      }
    }
    log.info("worker role on, serving: {}", wanted.isEmpty()
        ? types.all().stream().map(TaskType::name).toList() : wanted);
  }
}
