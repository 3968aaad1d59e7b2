package io.taskgate.config;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Derived settings the route files use: {@code taskgate.role.api} and {@code taskgate.role.worker}
 * (true/false, from {@code taskgate.roles}) for {@code autoStartup: "{{taskgate.role.api}}"}, and
 * {@code taskgate.routes.extra-pattern}, which adds the {@code *.yaml} files of
 * {@code taskgate.routes.dir} (a mounted ConfigMap, say) to the routes Camel loads.
 */
public class TaskgateEnvironment implements EnvironmentPostProcessor {

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication app) {
    String roles = env.getProperty("taskgate.roles", "api,worker");
    Map<String, Object> derived = new HashMap<>();
    var list = Arrays.stream(roles.split(",")).map(String::trim).toList();
    for (String role : list) {
      if (!role.equals("api") && !role.equals("worker")) {
        throw new IllegalArgumentException("taskgate.roles: unknown role '" + role + "' (use api, worker)");
      }
    }
    derived.put("taskgate.role.api", list.contains("api"));
    derived.put("taskgate.role.worker", list.contains("worker"));
    String broker = env.getProperty("taskgate.broker", "database").trim();
    if (!broker.equals("database") && !broker.equals("rabbitmq") && !broker.equals("kafka")) {
      throw new IllegalArgumentException("taskgate.broker: unknown broker '" + broker
          + "' (use database, rabbitmq or kafka)");
    }
    boolean rabbit = broker.equals("rabbitmq");
    // the API is ready when its database is (a broker outage must not take it out of service);
    // a worker-only process also needs its broker
    derived.put("management.health.rabbit.enabled", rabbit);
    derived.putIfAbsent("management.endpoint.health.group.readiness.include",
        rabbit && list.contains("worker") && !list.contains("api")
            ? "readinessState,db,rabbit" : "readinessState,db");
    String dir = env.getProperty("taskgate.routes.dir", "").trim();
    if (!dir.isEmpty()) {
      String base = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
      derived.put("taskgate.routes.extra-pattern", ",file:" + base + "/*.yaml");
    }
    env.getPropertySources().addLast(new MapPropertySource("taskgateRoles", derived));
  }
}
