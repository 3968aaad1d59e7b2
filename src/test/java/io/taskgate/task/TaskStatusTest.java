package io.taskgate.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TaskStatusTest {

  @Test
  void a_finished_task_never_moves_again() {
    for (TaskStatus terminal : new TaskStatus[] {TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED}) {
      for (TaskStatus next : TaskStatus.values()) {
        assertThat(terminal.canMoveTo(next)).as(terminal + " -> " + next).isFalse();
      }
      assertThat(terminal.isTerminal()).isTrue();
    }
  }

  @Test
  void a_pending_task_can_start_be_cancelled_or_fail_but_not_succeed() {
    assertThat(TaskStatus.PENDING.canMoveTo(TaskStatus.RUNNING)).isTrue();
    assertThat(TaskStatus.PENDING.canMoveTo(TaskStatus.CANCELLED)).isTrue();
    assertThat(TaskStatus.PENDING.canMoveTo(TaskStatus.FAILED)).isTrue();
    assertThat(TaskStatus.PENDING.canMoveTo(TaskStatus.SUCCEEDED)).isFalse();
    assertThat(TaskStatus.PENDING.canMoveTo(TaskStatus.PENDING)).isFalse();
  }

  @Test
  void a_running_task_can_finish_in_any_way_or_go_back_to_pending() {
    assertThat(TaskStatus.RUNNING.canMoveTo(TaskStatus.SUCCEEDED)).isTrue();
    assertThat(TaskStatus.RUNNING.canMoveTo(TaskStatus.FAILED)).isTrue();
    assertThat(TaskStatus.RUNNING.canMoveTo(TaskStatus.CANCELLED)).isTrue();
    assertThat(TaskStatus.RUNNING.canMoveTo(TaskStatus.PENDING)).isTrue();
    assertThat(TaskStatus.RUNNING.canMoveTo(TaskStatus.RUNNING)).isFalse();
  }

  @Test
  void an_illegal_transition_is_refused() {
    assertThatThrownBy(() -> TaskStatus.requireTransition(TaskStatus.SUCCEEDED, TaskStatus.RUNNING))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void retry_delays_double_from_the_backoff_up_to_the_cap() {
    TaskType type = new TaskType("t", "h", TaskMode.SHORT, 1, Duration.ofSeconds(10), 10,
        Duration.ofSeconds(1), Duration.ofSeconds(5), null);
    assertThat(type.retryDelay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(type.retryDelay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(type.retryDelay(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(type.retryDelay(4)).isEqualTo(Duration.ofSeconds(5));
    assertThat(type.retryDelay(60)).isEqualTo(Duration.ofSeconds(5));
  }
}
