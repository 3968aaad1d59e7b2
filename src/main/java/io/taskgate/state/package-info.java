/** The state store: the only code that reads and writes the task table (JDBC, H2 or PostgreSQL). */
package io.taskgate.state;
