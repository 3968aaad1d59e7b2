package io.taskgate.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Writes the HTTP answer of an ingress route. platform-http copies every exchange header into the
 * response, so each method first drops them all and sets only what the caller should see.
 */
@Component
public class HttpResponses {

  private static final Logger log = LoggerFactory.getLogger(HttpResponses.class);
  private static final String UNAVAILABLE_RETRY_AFTER_SECONDS = "5";

  private final ObjectMapper json;

  public HttpResponses(ObjectMapper json) {
    this.json = json;
  }

  /** 202 for a new task: {@code Location} and {@code Retry-After} tell the caller where and when to poll. */
  public void accepted(Exchange exchange) {
    TaskService.Submitted submitted = exchange.getIn().getBody(TaskService.Submitted.class);
    TaskView view = submitted.task();
    write(exchange, 202, "application/json", view);
    exchange.getMessage().setHeader("Location", view.links().self());
    exchange.getMessage().setHeader("Retry-After", "1");
    if (submitted.replayed()) {
      exchange.getMessage().setHeader("Idempotent-Replayed", "true");
    }
  }

  public void ok(Exchange exchange) {
    write(exchange, 200, "application/json", exchange.getIn().getBody());
  }

  public void cancelled(Exchange exchange) {
    TaskService.CancelResult result = exchange.getIn().getBody(TaskService.CancelResult.class);
    write(exchange, result.status(), "application/json", result.task());
  }

  /** The routeConfiguration {@code taskgate-errors} calls this for every failed ingress request. */
  public void problem(Exchange exchange) {
    Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    Problem problem;
    if (failure instanceof ProblemException p) {
      problem = p.problem();
    } else {
      log.error("request failed", failure);
      problem = new Problem("urn:problem-type:taskgate:internal-error", "Internal error", 500,
          "The request could not be processed; it is safe to retry", null);
    }
    write(exchange, problem.status(), "application/problem+json", problem);
  }

  /**
   * The routeConfiguration {@code taskgate-errors} calls this when the state store cannot be
   * reached: an outage, not a bug, so a 503 the caller may retry and one warning line.
   */
  public void unavailable(Exchange exchange) {
    Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    log.warn("request failed, the state store is unreachable: {}", String.valueOf(failure));
    Problem problem = new Problem("urn:problem-type:taskgate:unavailable", "Service unavailable", 503,
        "The task store cannot be reached; retry later (with an Idempotency-Key a retried"
            + " submission cannot create a second task)", null);
    write(exchange, problem.status(), "application/problem+json", problem);
    exchange.getMessage().setHeader("Retry-After", UNAVAILABLE_RETRY_AFTER_SECONDS);
  }

  private void write(Exchange exchange, int status, String contentType, Object body) {
    var message = exchange.getMessage();
    message.removeHeaders("*");
    try {
      message.setBody(json.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
    message.setHeader(Exchange.CONTENT_TYPE, contentType);
    // the body is complete in memory: send it with a Content-Length in one write, not as chunked
    // transfer encoding (a second write per request for the closing chunk)
    message.setHeader(Exchange.HTTP_CHUNKED, false);
  }
}
