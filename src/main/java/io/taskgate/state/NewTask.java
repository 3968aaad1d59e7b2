package io.taskgate.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;

/** A validated submission, ready to be stored as PENDING. */
public record NewTask(
    UUID id, String type, JsonNode input, int priority, int maxAttempts, String callbackUrl,
    String traceparent) {}
