package io.taskgate.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;

/**
 * A task a worker holds a lease on. {@code attempt} is the attempt number this run is (1-based);
 * together with {@code leaseOwner} it guards every later write of this run.
 */
public record ClaimedTask(
    UUID id, String type, JsonNode input, int attempt, int maxAttempts, JsonNode checkpoint, String leaseOwner) {}
