/** The task model: statuses and their legal transitions, task types, the stored task. */
package io.taskgate.task;
