/** Background duties of the always-on api role: lease reaper, retention. */
package io.taskgate.maintenance;
