package io.taskgate.state;

import io.taskgate.task.Task;

/**
 * A task as {@link TaskStore#create} stored it. {@code outboxRow} is the id of its outbox row when
 * that row waits for the API to publish it right after the commit (a broker on PostgreSQL): the
 * row only becomes due for the polling relay after {@code taskgate.outbox.publish-grace}. Null
 * when there is no such row (database queue) or the row is due at once.
 */
public record StoredTask(Task task, Long outboxRow) {}
