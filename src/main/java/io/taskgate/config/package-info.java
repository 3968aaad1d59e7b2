/** Configuration: the {@code taskgate.*} properties and the roles this process plays. */
package io.taskgate.config;
