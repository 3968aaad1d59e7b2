package io.taskgate.broker;

import java.util.UUID;

/** A claimed outbox row: publish a task message ({@code kind = task}) or a completion event. */
record OutboxRow(long id, String kind, UUID taskId) {}
