package io.taskgate.state;

import io.taskgate.task.TaskStatus;
import java.util.UUID;

/** What a heartbeat needs to know about a running task. */
public record LeaseState(
    UUID id, TaskStatus status, String leaseOwner, int attempts, boolean cancelRequested, int maxAttempts) {}
