package io.taskgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.StandardEnvironment;

class TaskgatePropertiesTest {

  private final TaskgateProperties defaults =
      Binder.get(new StandardEnvironment()).bindOrCreate("taskgate", TaskgateProperties.class);

  @Test
  void the_default_callback_schedule_retries_within_ten_seconds_and_spans_more_than_a_day() {
    var schedule = defaults.callbacks().retrySchedule();
    // jitter is +-20 %: the first retry comes at most 1.2 x its delay after the first attempt
    assertThat(schedule.get(0).multipliedBy(12).dividedBy(10)).isLessThanOrEqualTo(Duration.ofSeconds(10));
    Duration total = schedule.stream().reduce(Duration.ZERO, Duration::plus);
    // and the whole schedule, even at -20 %, spans more than a day
    assertThat(total.multipliedBy(8).dividedBy(10)).isGreaterThan(Duration.ofDays(1));
  }

  @Test
  void defaults_are_the_documented_ones() {
    assertThat(defaults.roles()).containsExactly("api", "worker");
    assertThat(defaults.broker()).isEqualTo("database");
    assertThat(defaults.api().maxBodyBytes()).isEqualTo(1024 * 1024);
    assertThat(defaults.worker().lease()).isEqualTo(Duration.ofSeconds(30));
    assertThat(defaults.retention().finished()).isEqualTo(Duration.ofDays(7));
    assertThat(defaults.idempotency().ttl()).isGreaterThanOrEqualTo(Duration.ofHours(24));
  }
}
