/** The example task types shipped with Taskgate: echo, sleep, fail. */
package io.taskgate.worker.handlers;
