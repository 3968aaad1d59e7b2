package io.taskgate.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Writes the HTTP answer of an ingress route. platform-http copies every exchange header into the
 * response, so each method first drops them all and sets only what the caller should see.
 */
@Component
public class HttpResponses implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(HttpResponses.class);
  private static final String UNAVAILABLE_RETRY_AFTER_SECONDS = "5";
  /** At most one warning line per this interval while requests are refused for an outage. */
  static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final ObjectMapper json;
  private final AtomicLong nextRefusalLine = new AtomicLong(System.nanoTime());
  private final AtomicLong refusedUnlogged = new AtomicLong();

  public HttpResponses(ObjectMapper json) {
    this.json = json;
  }

  /** 202 for a new task: {@code Location} and {@code Retry-After} tell the caller where and when to poll. */
  public void accepted(Exchange exchange) {
    reportRefusalsAfterOutage();
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
    reportRefusalsAfterOutage();
    write(exchange, 200, "application/json", exchange.getIn().getBody());
  }

  public void cancelled(Exchange exchange) {
    reportRefusalsAfterOutage();
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
   * reached: an outage, not a bug, so a 503 the caller may retry. The first refusal is logged at
   * once, then at most one line per {@link #REFUSAL_LOG_INTERVAL_NANOS} with the count of those not
   * logged (at 1,000 requests/s a line per request buried everything else in the log). A refusal
   * within the interval after the last line is only counted, also the first of a new outage.
   */
  public void unavailable(Exchange exchange) {
    Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    if (takeLogTurn()) {
      long unlogged = refusedUnlogged.getAndSet(0);
      log.warn("request refused (503), the state store is unreachable{}: {}",
          unlogged == 0 ? "" : " (" + unlogged + " more refused since the last such line)",
          String.valueOf(failure));
    } else {
      refusedUnlogged.incrementAndGet();
    }
    Problem problem = new Problem("urn:problem-type:taskgate:unavailable", "Service unavailable", 503,
        "The task store cannot be reached; retry later (with an Idempotency-Key a retried"
            + " submission cannot create a second task)", null);
    write(exchange, problem.status(), "application/problem+json", problem);
    exchange.getMessage().setHeader("Retry-After", UNAVAILABLE_RETRY_AFTER_SECONDS);
  }

  /**
   * The refusals not yet logged, at a successful request once the interval since the last line has
   * passed (also while some requests still fail): an outage's log ends with its count.
   */
  private void reportRefusalsAfterOutage() {
    if (refusedUnlogged.get() == 0) { // a plain read on every request; the rest only after an outage
      return;
    }
    if (takeLogTurn()) {
      long unlogged = refusedUnlogged.getAndSet(0);
      if (unlogged > 0) {
        log.info("a request succeeded; {} more refused (503) for an unreachable state store since the"
            + " last such line", unlogged);
      }
    }
  }

  /**
   * The refusals not yet logged, when the process stops: an outage that ends with a shutdown (a
   * pod replaced while its database is away) still leaves its count in the log.
   */
  @Override
  public void destroy() {
    long unlogged = refusedUnlogged.getAndSet(0);
    if (unlogged > 0) {
      log.info("stopping; {} more refused (503) for an unreachable state store since the last such line",
          unlogged);
    }
  }

  /** True for the one caller that may write a refusal line now (at most one per interval). */
  private boolean takeLogTurn() {
    long now = System.nanoTime();
    long due = nextRefusalLine.get();
    return now - due >= 0 && nextRefusalLine.compareAndSet(due, now + REFUSAL_LOG_INTERVAL_NANOS);
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
