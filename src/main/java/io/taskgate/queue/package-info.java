/** The database as the queue: a Camel consumer that claims PENDING rows with a lease. */
package io.taskgate.queue;
