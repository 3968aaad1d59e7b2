package io.taskgate.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TaskIdsTest {

  @Test
  void an_id_is_a_version_7_uuid_carrying_its_creation_millisecond() {
    long before = System.currentTimeMillis();
    UUID id = TaskIds.next();
    long after = System.currentTimeMillis();

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, after);
    // the canonical text form round-trips (ids travel as text in URLs and messages)
    assertThat(UUID.fromString(id.toString())).isEqualTo(id);
  }

  @Test
  void ids_of_later_milliseconds_sort_after_earlier_ones_as_the_database_compares_them() {
    // PostgreSQL and H2 order uuids by their bytes, i.e. by the text form
    String previous = TaskIds.at(1_700_000_000_000L).toString();
    for (long ms = 1_700_000_000_001L; ms < 1_700_000_001_000L; ms++) {
      String next = TaskIds.at(ms).toString();
      assertThat(next).isGreaterThan(previous);
      previous = next;
    }
  }

  @Test
  void ids_of_the_same_millisecond_differ_in_their_random_bits() {
    Set<UUID> ids = new HashSet<>();
    Set<Long> lowBits = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      UUID id = TaskIds.at(1_700_000_000_000L);
      ids.add(id);
      lowBits.add(id.getLeastSignificantBits());
    }
    assertThat(ids).hasSize(100_000);
    assertThat(lowBits).hasSize(100_000);
  }
}
