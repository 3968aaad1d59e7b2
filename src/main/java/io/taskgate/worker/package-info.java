/** Workers: the handler contract, the runner that records outcomes, leases and heartbeats. */
package io.taskgate.worker;
