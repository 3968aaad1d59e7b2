package io.taskgate.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A caller of the Taskgate HTTP API, as a service would be: plain HTTP and JSON. */
public class ApiClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  public ApiClient(String base) {
    this.base = base;
  }

  public record Response(int status, HttpResponse<String> raw) {
    public JsonNode json() {
      try {
        return JSON.readTree(raw.body());
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + raw.body(), e);
      }
    }

    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public String contentType() {
      return header("Content-Type");
    }
  }

  public Response submit(String json) {
    return send(HttpRequest.newBuilder(uri("/api/v1/tasks"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public Response post(String path, String contentType, byte[] body) {
    return send(HttpRequest.newBuilder(uri(path))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  public Response get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(90)).GET());
  }

  public Response delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  public JsonNode task(String id) {
    Response r = get("/api/v1/tasks/" + id);
    if (r.status() != 200) {
      throw new AssertionError("GET task " + id + " -> " + r.status() + " " + r.raw().body());
    }
    return r.json();
  }

  public String status(String id) {
    return task(id).path("status").asText();
  }

  /** Submits and returns the new task's id, failing unless the answer is 202. */
  public String submitOk(String json) {
    Response r = submit(json);
    if (r.status() != 202) {
      throw new AssertionError("submit -> " + r.status() + " " + r.raw().body());
    }
    return r.json().path("id").asText();
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response);
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
