package io.taskgate.ingress;

import com.fasterxml.jackson.databind.JsonNode;

/** A validated {@code POST /api/v1/tasks} body. */
public record SubmitTaskRequest(String type, JsonNode input, int priority) {}
