/** Completion callbacks: durable deliveries, Standard Webhooks signatures, retries with backoff. */
package io.taskgate.callback;
