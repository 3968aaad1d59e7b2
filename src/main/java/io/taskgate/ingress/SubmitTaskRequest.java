package io.taskgate.ingress;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A validated {@code POST /api/v1/tasks} body.
 *
 * @param requestHash SHA-256 of the canonical JSON of the body, to compare Idempotency-Key reuses
 *     (null without a key)
 * @param idempotencyKey the caller's key, or null
 * @param traceparent the W3C trace context of the request, or null
 */
public record SubmitTaskRequest(
    String type,
    JsonNode input,
    int priority,
    String callbackUrl,
    String requestHash,
    String idempotencyKey,
    String traceparent) {}
