package io.taskgate.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import io.taskgate.callback.CallbackUrlPolicy;
import io.taskgate.config.TaskgateProperties;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import io.taskgate.task.TaskType;
import io.taskgate.task.TaskTypeRegistry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Turns the raw {@code POST /api/v1/tasks} request into a {@link SubmitTaskRequest}, or rejects it
 * with the problem a caller can act on: 415 (not JSON), 413 (too large), 400 (malformed, unknown
 * members, unknown type, input violating the type's JSON Schema). Nothing is stored before this.
 */
@Component
public class SubmitTaskValidator {

  static final Set<String> MEMBERS = Set.of("type", "input", "callbackUrl", "priority");
  static final java.util.regex.Pattern TRACEPARENT =
      java.util.regex.Pattern.compile("^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$");
  static final int MAX_KEY_LENGTH = 255;

  private final TaskTypeRegistry types;
  private final CallbackUrlPolicy callbackUrls;
  private final ObjectMapper json;
  private final ObjectReader strictReader;
  private final long maxBodyBytes;
  private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();

  public SubmitTaskValidator(TaskTypeRegistry types, CallbackUrlPolicy callbackUrls, ObjectMapper json,
      TaskgateProperties properties) {
    this.types = types;
    this.callbackUrls = callbackUrls;
    this.json = json;
    // one JSON value per body, each member once: "{..} trailing" and {"type":1,"type":2} are errors
    this.strictReader = json.reader()
        .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    this.maxBodyBytes = properties.api().maxBodyBytes();
  }

  public SubmitTaskRequest validate(Exchange exchange) {
    requireJson(exchange.getIn().getHeader("Content-Type", String.class));
    Long declared = exchange.getIn().getHeader("Content-Length", Long.class);
    if (declared != null && declared > maxBodyBytes) {
      throw tooLarge();
    }
    byte[] body = exchange.getIn().getBody(byte[].class);
    if (body != null && body.length > maxBodyBytes) {
      throw tooLarge();
    }
    String key = idempotencyKey(exchange.getIn().getHeader("Idempotency-Key", String.class));
    String traceparent = exchange.getIn().getHeader("traceparent", String.class);
    if (traceparent != null && !TRACEPARENT.matcher(traceparent.trim()).matches()) {
      traceparent = null; // W3C: an invalid traceparent is ignored, not an error
    }
    return validateBody(body == null ? new byte[0] : body, key,
        traceparent == null ? null : traceparent.trim());
  }

  // private and named apart: Camel's bean binding counts every non-private method named like the
  // route's (here "validate"), and with two it chose between them again on every request (~1 % of
  // the JVM's CPU in a RabbitMQ + PostgreSQL flood, JFR, bench/RESULTS.md run 19)
  private SubmitTaskRequest validateBody(byte[] body, String idempotencyKey, String traceparent) {
    JsonNode root;
    try {
      root = body.length == 0 ? null : strictReader.readTree(body);
    } catch (JsonProcessingException e) {
      throw ProblemException.badRequest(
          "The body is not valid JSON", List.of(new Problem.FieldError("", e.getOriginalMessage())));
    } catch (java.io.IOException e) {
      throw ProblemException.badRequest("The body could not be read", null);
    }
    if (root == null || root.isMissingNode() || !root.isObject()) {
      throw ProblemException.badRequest(
          "The body must be a JSON object", List.of(new Problem.FieldError("", "expected an object")));
    }
    List<Problem.FieldError> errors = new ArrayList<>();
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!MEMBERS.contains(name)) {
        errors.add(new Problem.FieldError("/" + name, "unknown member; allowed: " + MEMBERS));
      }
    }
    JsonNode typeNode = root.get("type");
    TaskType type = null;
    if (typeNode == null || typeNode.isNull()) {
      errors.add(new Problem.FieldError("/type", "required"));
    } else if (!typeNode.isTextual()) {
      errors.add(new Problem.FieldError("/type", "must be a string"));
    } else {
      type = types.find(typeNode.asText()).orElse(null);
      if (type == null) {
        errors.add(new Problem.FieldError("/type", "unknown task type '" + typeNode.asText()
            + "'; GET /api/v1/task-types lists them"));
      }
    }
    String callbackUrl = null;
    JsonNode callback = root.get("callbackUrl");
    if (callback != null && !callback.isNull()) {
      if (!callback.isTextual()) {
        errors.add(new Problem.FieldError("/callbackUrl", "must be a string"));
      } else {
        callbackUrl = callback.asText();
        callbackUrls.problem(callbackUrl)
            .ifPresent(p -> errors.add(new Problem.FieldError("/callbackUrl", p)));
      }
    }
    int priority = 0;
    JsonNode priorityNode = root.get("priority");
    if (priorityNode != null && !priorityNode.isNull()) {
      if (!priorityNode.isIntegralNumber() || priorityNode.asInt() < 0 || priorityNode.asInt() > 9) {
        errors.add(new Problem.FieldError("/priority", "an integer from 0 (default) to 9 (first)"));
      } else {
        priority = priorityNode.asInt();
      }
    }
    JsonNode input = root.get("input");
    if (type != null && type.inputSchema() != null) {
      for (ValidationMessage message : schema(type).validate(input == null ? json.nullNode() : input)) {
        String at = message.getInstanceLocation().toString();
        errors.add(new Problem.FieldError("/input" + (at.equals("/") ? "" : at), message.getError()));
      }
    }
    if (!errors.isEmpty()) {
      throw ProblemException.badRequest("The task was not accepted: see errors", errors);
    }
    // the request hash only matters to recognise a replayed Idempotency-Key
    String hash = idempotencyKey == null ? null : hash(root);
    return new SubmitTaskRequest(type.name(), input, priority, callbackUrl, hash, idempotencyKey,
        traceparent);
  }

  /**
   * The Idempotency-Key header: a token, or an RFC 8941 string ({@code "..."}); null when absent.
   */
  static String idempotencyKey(String header) {
    if (header == null) {
      return null;
    }
    String key = header.trim();
    if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
      StringBuilder unquoted = new StringBuilder();
      for (int i = 1; i < key.length() - 1; i++) {
        char c = key.charAt(i);
        if (c == '\\' && i + 1 < key.length() - 1) {
          c = key.charAt(++i);
        }
        unquoted.append(c);
      }
      key = unquoted.toString();
    }
    String problem = null;
    if (key.isEmpty()) {
      problem = "must not be empty";
    } else if (key.length() > MAX_KEY_LENGTH) {
      problem = "longer than " + MAX_KEY_LENGTH + " characters";
    } else if (!key.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      problem = "only printable ASCII characters are allowed";
    }
    if (problem != null) {
      throw ProblemException.badRequest("Invalid Idempotency-Key header",
          List.of(new Problem.FieldError("Idempotency-Key", problem)));
    }
    return key;
  }

  /** SHA-256 of the body's canonical JSON (members sorted), to recognise the same request. */
  private String hash(JsonNode root) {
    try {
      Object plain = json.treeToValue(root, Object.class);
      byte[] canonical = json.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .writeValueAsBytes(plain);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonSchema schema(TaskType type) {
    return schemas.computeIfAbsent(type.name(), name -> {
      JsonNode schema = type.inputSchema();
      SpecVersion.VersionFlag version =
          SpecVersionDetector.detectOptionalVersion(schema, false).orElse(SpecVersion.VersionFlag.V202012);
      SchemaValidatorsConfig config =
          SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();
      return JsonSchemaFactory.getInstance(version).getSchema(schema, config);
    });
  }

  private static void requireJson(String contentType) {
    String media = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
    boolean isJson = media.equals("application/json")
        || (media.startsWith("application/") && media.endsWith("+json"));
    if (!isJson) {
      throw new ProblemException(415, "unsupported-media-type", "Unsupported media type",
          "Send the task as JSON with Content-Type: application/json (got "
              + (contentType == null ? "none" : "'" + contentType + "'") + ")");
    }
  }

  private ProblemException tooLarge() {
    return new ProblemException(413, "payload-too-large", "Payload too large",
        "The body is larger than " + maxBodyBytes + " bytes (taskgate.api.max-body-bytes)");
  }
}
