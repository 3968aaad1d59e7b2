package io.taskgate;

import io.taskgate.worker.ProcessExit;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/** Taskgate: HTTP task gateway. Routes live in {@code src/main/resources/routes/}. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TaskgateApplication {

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(TaskgateApplication.class);
    // our own shutdown hook: drain, close, then exit 0 (not the JVM's 143 after SIGTERM)
    app.setRegisterShutdownHook(false);
    ConfigurableApplicationContext context = app.run(args);
    Runtime.getRuntime().addShutdownHook(
        new Thread(() -> ProcessExit.closeAndHalt(context), "taskgate-shutdown"));
  }
}
