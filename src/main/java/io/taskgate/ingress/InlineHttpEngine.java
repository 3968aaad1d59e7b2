package io.taskgate.ingress;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * platform-http on Spring Boot, answering on the servlet container's thread.
 *
 * <p>Camel's {@link SpringBootPlatformHttpConsumer} hands every request to an executor and returns
 * a {@link CompletableFuture}; Spring MVC then starts async processing and, once the future
 * completes, dispatches the request a second time through the filter chain and the
 * DispatcherServlet. Taskgate's requests are short and block on the database anyway, so that
 * buys nothing and costs a thread hop plus a second dispatch per request (the second dispatch
 * alone took a quarter of the HTTP threads' CPU in a submit flood, bench/RESULTS.md run 8). This
 * engine runs the route on the container's thread and returns no future: MVC completes the request
 * at once, as for any controller.
 *
 * <p>Long-polls ({@code GET ...?waitSeconds=N}, up to 60 s) still go to the executor
 * ({@code spring.task.execution}, {@code taskgate-http-*} threads) so that waiting callers do not
 * hold the container's threads, which submissions need.
 *
 * <p>Replaces the starter's engine bean, which is conditional on no other {@link PlatformHttpEngine};
 * the component looks the engine up by this bean name.
 */
@Component("platform-http-engine")
class InlineHttpEngine implements PlatformHttpEngine {

  private static final Logger log = LoggerFactory.getLogger(InlineHttpEngine.class);

  private final int port;
  private final Executor longPolls;

  InlineHttpEngine(@Value("${server.port:8080}") int port,
      @Qualifier("applicationTaskExecutor") Executor longPolls) {
    this.port = port;
    this.longPolls = longPolls;
  }

  @Override
  public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
    return new InlineConsumer(endpoint, processor, longPolls);
  }

  @Override
  public int getServerPort() {
    return port;
  }

  /** True for a request that may wait for a task to finish: it leaves the container's thread. */
  static boolean isLongPoll(HttpServletRequest request) {
    // a GET's parameters come from its query string only (decoded); the route reads them anyway
    return "GET".equals(request.getMethod()) && request.getParameter("waitSeconds") != null;
  }

  static final class InlineConsumer extends SpringBootPlatformHttpConsumer {

    InlineConsumer(PlatformHttpEndpoint endpoint, Processor processor, Executor executor) {
      super(endpoint, processor, executor);
    }

    /**
     * Called by Spring MVC (the handler method CamelRequestHandlerMapping registers). A null
     * future tells MVC the response is complete; a long-poll gets the starter's async handling.
     */
    @Override
    public CompletableFuture<Void> service(HttpServletRequest request, HttpServletResponse response) {
      if (isLongPoll(request)) {
        return super.service(request, response);
      }
      try {
        handleService(request, response);
      } catch (Exception e) {
        // as the starter does on its executor: the route's error handler answered what it could
        log.warn("Error handling request due to: {}", e.getMessage(), e);
        if (!response.isCommitted()) {
          try {
            response.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
          } catch (Exception ignored) {
            // the client is gone
          }
        }
      }
      return null;
    }
  }
}
