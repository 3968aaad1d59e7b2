package io.taskgate.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * A handler that is a worker service in any language: POSTs the task input as JSON and takes the
 * JSON response as the result. 2xx: success; 4xx: permanent failure; 5xx, timeout, connection
 * error: retryable. Headers {@code Taskgate-Task-Id} and {@code Taskgate-Attempt} let the service
 * de-duplicate.
 */
public class HttpTaskHandler implements TaskHandler {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private final URI uri;
  private final Duration timeout;

  public HttpTaskHandler(String url, Duration timeout) {
    this.uri = URI.create(url);
    this.timeout = timeout;
  }

  @Override
  public JsonNode handle(JsonNode input, TaskContext context) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("Taskgate-Task-Id", context.taskId().toString())
            .header("Taskgate-Attempt", Integer.toString(context.attempt()))
            .POST(HttpRequest.BodyPublishers.ofString(input == null ? "null" : JSON.writeValueAsString(input)))
            .build();
    HttpResponse<String> response;
    try {
      response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw TaskFailure.retryable("http-timeout", "no answer from " + uri + " within " + timeout);
    } catch (IOException e) {
      throw TaskFailure.retryable("http-unreachable", uri + ": " + e);
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      String body = response.body();
      return body == null || body.isBlank() ? null : JSON.readTree(body);
    }
    String detail = "HTTP " + status + " from " + uri + ": " + abbreviate(response.body());
    if (status >= 400 && status < 500) {
      throw TaskFailure.permanent("http-" + status, detail);
    }
    throw TaskFailure.retryable("http-" + status, detail);
  }

  private static String abbreviate(String body) {
    if (body == null) {
      return "";
    }
    return body.length() > 500 ? body.substring(0, 500) + "..." : body;
  }
}
