/** The level-1 HTTP API: validation, the task view, problem responses. Routes: routes/ingress-*. */
package io.taskgate.ingress;
