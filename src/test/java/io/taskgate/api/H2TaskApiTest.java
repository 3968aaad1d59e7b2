package io.taskgate.api;

import org.springframework.test.context.TestPropertySource;

/** The scenarios on the embedded default: H2 as state store and queue. */
@TestPropertySource(properties = {
    "spring.datasource.url=jdbc:h2:mem:taskgate-api;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
})
class H2TaskApiTest extends TaskApiScenarios implements PriorityScenarios {}
