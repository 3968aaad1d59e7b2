package io.taskgate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Taskgate: HTTP task gateway. Routes live in {@code src/main/resources/routes/}. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TaskgateApplication {

  public static void main(String[] args) {
    SpringApplication.run(TaskgateApplication.class, args);
  }
}
