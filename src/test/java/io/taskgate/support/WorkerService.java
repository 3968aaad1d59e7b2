package io.taskgate.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker service in "any language": a plain HTTP server that takes a task input and answers.
 * Input {@code {"status": 503}} makes it answer that status; otherwise 200 with
 * {@code {"text": "OCR of <page>", "taskId": <Taskgate-Task-Id header>}}.
 */
public final class WorkerService {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static WorkerService instance;

  private final HttpServer server;
  public final AtomicInteger calls = new AtomicInteger();

  private WorkerService() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/ocr", exchange -> {
      calls.incrementAndGet();
      JsonNode input = JSON.readTree(exchange.getRequestBody());
      int status = input.path("status").asInt(200);
      ObjectNode body = JSON.createObjectNode();
      if (status == 200) {
        body.put("text", "OCR of " + input.path("page").asText());
        body.put("taskId", exchange.getRequestHeaders().getFirst("Taskgate-Task-Id"));
      } else {
        body.put("error", "asked to answer " + status);
      }
      byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
  }

  public static synchronized WorkerService shared() {
    if (instance == null) {
      try {
        instance = new WorkerService();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return instance;
  }

  public int port() {
    return server.getAddress().getPort();
  }
}
