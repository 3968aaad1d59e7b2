package io.taskgate.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.springframework.stereotype.Component;

/**
 * The task types this deployment knows, read from the routes created from the {@code task-worker}
 * route template (one {@code routes/tasks/*.camel.yaml} file each, plus any in
 * {@code taskgate.routes.dir}). The route files are the single source of truth: the API validates
 * submissions against them whether or not this process runs workers.
 */
@Component
public class TaskTypeRegistry {

  public static final String TEMPLATE_ID = "task-worker";

  private final CamelContext camel;
  private final ObjectMapper json;
  private volatile Map<String, TaskType> types;

  public TaskTypeRegistry(CamelContext camel, ObjectMapper json) {
    this.camel = camel;
    this.json = json;
  }

  public Optional<TaskType> find(String name) {
    return Optional.ofNullable(types().get(name));
  }

  public TaskType get(String name) {
    return find(name).orElseThrow(() -> new IllegalArgumentException("unknown task type " + name));
  }

  /** All types, sorted by name. */
  public Collection<TaskType> all() {
    return types().values();
  }

  private Map<String, TaskType> types() {
    Map<String, TaskType> current = types;
    if (current == null && !camel.getStatus().isStarted()) {
      // the routes are not all there before Camel started: read them, but do not remember
      return load();
    }
    if (current == null) {
      synchronized (this) {
        if (types == null) {
          types = load();
        }
        current = types;
      }
    }
    return current;
  }

  private Map<String, TaskType> load() {
    Map<String, TaskType> loaded = new TreeMap<>();
    for (RouteDefinition route : workerRoutes(camel)) {
      Map<String, Object> params = new HashMap<>();
      if (route.getTemplateDefaultParameters() != null) {
        params.putAll(route.getTemplateDefaultParameters());
      }
      params.putAll(route.getTemplateParameters());
      TaskType type = toTaskType(params);
      if (loaded.put(type.name(), type) != null) {
        throw new IllegalStateException("task type '" + type.name() + "' is declared twice");
      }
    }
    return loaded;
  }

  /** Routes created from the {@code task-worker} template (kamelet routes are templates too). */
  public static List<RouteDefinition> workerRoutes(CamelContext camel) {
    ModelCamelContext model = (ModelCamelContext) camel;
    return camel.getRoutes().stream()
        .filter(r -> r.isCreatedByRouteTemplate() && !r.isCreatedByKamelet())
        .map(r -> model.getRouteDefinition(r.getRouteId()))
        .filter(d -> d != null && d.getTemplateParameters() != null
            && d.getTemplateParameters().containsKey("taskType"))
        .toList();
  }

  private TaskType toTaskType(Map<String, Object> params) {
    String name = param(params, "taskType", null);
    try {
      return new TaskType(
          name,
          param(params, "handler", null),
          TaskMode.valueOf(param(params, "mode", "short").toUpperCase(Locale.ROOT)),
          Integer.parseInt(param(params, "concurrency", "1")),
          Duration.ofSeconds(Long.parseLong(param(params, "timeoutSeconds", "120"))),
          Integer.parseInt(param(params, "maxAttempts", "3")),
          Duration.ofMillis(Long.parseLong(param(params, "backoffMillis", "1000"))),
          Duration.ofSeconds(Long.parseLong(param(params, "maxBackoffSeconds", "300"))),
          schema(param(params, "inputSchema", "")));
    } catch (RuntimeException e) {
      throw new IllegalStateException("task type '" + name + "' is misconfigured: " + e.getMessage(), e);
    }
  }

  private String param(Map<String, Object> params, String key, String fallback) {
    Object value = params.get(key);
    if (value == null || value.toString().isBlank()) {
      if (fallback == null) {
        throw new IllegalStateException("missing template parameter " + key);
      }
      return fallback;
    }
    return camel.resolvePropertyPlaceholders(value.toString().trim());
  }

  private JsonNode schema(String text) {
    if (text.isBlank()) {
      return null;
    }
    try {
      return json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("inputSchema is not JSON: " + e.getOriginalMessage());
    }
  }
}
