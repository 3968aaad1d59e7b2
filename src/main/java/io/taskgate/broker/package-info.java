/**
 * Brokers (RabbitMQ, Kafka): the transactional outbox relay, CloudEvents task messages, claiming a
 * task from its message, acknowledging after the state is committed, topology declaration.
 */
package io.taskgate.broker;
