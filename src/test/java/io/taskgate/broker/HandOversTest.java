package io.taskgate.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.taskgate.broker.HandOvers.HandOver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * How the hand-over threads batch committed submissions: a lone one at once, a stream's within the
 * linger of each other (a linger of a minute here: a batch that waited for it would hang the test;
 * the stream tests give the stream gap a minute too, capped at their linger, so that a slow
 * machine's scheduling does not turn their stream into lone hand-overs).
 */
class HandOversTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void a_lone_submission_goes_out_at_once_without_lingering() {
    HandOvers handOvers = new HandOvers(100, 200, Duration.ofMinutes(1));
    handOvers.offer(1, null);

    List<HandOver> batch = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> handOvers.next(SECOND));

    assertThat(rows(batch)).containsExactly(1L);
  }

  @Test
  void in_a_stream_a_batch_waits_for_the_submissions_that_follow_its_first() throws Exception {
    HandOvers handOvers = new HandOvers(100, 200, Duration.ofMinutes(1), Duration.ofMinutes(1));
    handOvers.offer(1, null);
    assertThat(rows(handOvers.next(SECOND))).containsExactly(1L); // lone: at once
    handOvers.offer(2, null); // right behind it: a stream

    ExecutorService gatherer = Executors.newSingleThreadExecutor();
    try {
      Future<List<HandOver>> next = gatherer.submit(() -> handOvers.next(SECOND));
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !next.isDone());
      LongStream.rangeClosed(3, HandOvers.LINGER_FOR_AT_MOST + 1).forEach(row -> handOvers.offer(row, null));

      // the batch is full at LINGER_FOR_AT_MOST: out without waiting out the minute
      List<HandOver> batch = next.get(5, TimeUnit.SECONDS);
      assertThat(rows(batch)).containsExactlyElementsOf(
          LongStream.rangeClosed(2, HandOvers.LINGER_FOR_AT_MOST + 1).boxed().toList());
    } finally {
      gatherer.shutdownNow();
    }
  }

  @Test
  void submissions_further_apart_than_the_stream_gap_go_out_at_once_even_within_the_linger() {
    // tasks submitted one at a time, each after the one before ended: not a stream, however long
    // the linger (a minute here: a batch that lingered would hang the test)
    HandOvers handOvers = new HandOvers(100, 200, Duration.ofMinutes(1), Duration.ofMillis(50));
    handOvers.offer(1, null);
    assertThat(rows(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> handOvers.next(SECOND))))
        .containsExactly(1L);
    long handed = System.nanoTime();
    await().pollDelay(Duration.ofMillis(100)).until(() -> System.nanoTime() - handed > 2 * 50_000_000L);
    handOvers.offer(2, null);

    List<HandOver> batch = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> handOvers.next(SECOND));

    assertThat(rows(batch)).containsExactly(2L);
  }

  @Test
  void with_the_default_stream_gap_a_long_linger_leaves_submissions_100_ms_apart_alone() {
    // what OutboxRelay builds: the default gap (STREAM_GAP, 2 ms), here under a linger of a minute
    HandOvers handOvers = new HandOvers(100, 200, Duration.ofMinutes(1));
    handOvers.offer(1, null);
    assertThat(rows(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> handOvers.next(SECOND))))
        .containsExactly(1L);
    long handed = System.nanoTime();
    await().pollDelay(Duration.ofMillis(100)).until(() -> System.nanoTime() - handed > 100_000_000L);
    handOvers.offer(2, null);

    List<HandOver> batch = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> handOvers.next(SECOND));

    assertThat(rows(batch)).containsExactly(2L);
  }

  @Test
  void a_negative_stream_gap_is_refused() {
    assertThatThrownBy(() -> new HandOvers(100, 200, Duration.ofMillis(5), Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void while_one_thread_gathers_a_batch_the_other_takes_none_of_its_submissions() throws Exception {
    HandOvers handOvers = new HandOvers(100, 200, Duration.ofMinutes(1), Duration.ofMinutes(1));
    handOvers.offer(1, null);
    handOvers.next(SECOND);
    handOvers.offer(2, null); // a stream: the batch lingers for a minute, or until it has LINGER_FOR_AT_MOST

    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<List<HandOver>> lingering = threads.submit(() -> handOvers.next(SECOND));
      await().atMost(Duration.ofSeconds(5)).until(() -> handOvers.gathering() && handOvers.queued() == 0);

      // the other hand-over thread (its batch's confirms done) waits for the gatherer's turn
      // instead of taking part of the lingering batch (two confirm rounds where one would do)
      Future<List<HandOver>> other = threads.submit(() -> handOvers.next(5 * SECOND));
      await().atMost(Duration.ofSeconds(5)).until(handOvers::waitingToGather);
      LongStream.rangeClosed(3, HandOvers.LINGER_FOR_AT_MOST + 1).forEach(row -> handOvers.offer(row, null));

      assertThat(rows(lingering.get(5, TimeUnit.SECONDS))).containsExactlyElementsOf(
          LongStream.rangeClosed(2, HandOvers.LINGER_FOR_AT_MOST + 1).boxed().toList());
      assertThat(other.get(5, TimeUnit.SECONDS)).isEmpty();
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void a_stream_gap_longer_than_the_linger_is_the_linger() throws Exception {
    // a gap of a minute, a linger of 3 s: submissions 3.2 s apart are no stream, and go out at once
    // (with the gap uncapped the batch would wait out its linger, 3 s)
    HandOvers handOvers = new HandOvers(100, 200, Duration.ofSeconds(3), Duration.ofMinutes(1));
    handOvers.offer(1, null);
    handOvers.next(SECOND);
    long handed = System.nanoTime();
    await().pollDelay(Duration.ofMillis(3200)).until(() -> System.nanoTime() - handed > 3_200_000_000L);
    handOvers.offer(2, null);

    long start = System.nanoTime();
    List<HandOver> batch = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> handOvers.next(SECOND));

    assertThat(rows(batch)).containsExactly(2L);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
  }

  @Test
  void a_stream_batch_goes_out_when_its_linger_is_over() throws Exception {
    Duration linger = Duration.ofSeconds(1);
    HandOvers handOvers = new HandOvers(100, 200, linger, Duration.ofMinutes(1)); // gap: the linger, 1 s
    handOvers.offer(1, null);
    handOvers.next(SECOND);
    long offered = System.nanoTime();
    handOvers.offer(2, null);

    // after the linger, well before the 30 s it may wait for a first
    List<HandOver> batch = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> handOvers.next(TimeUnit.SECONDS.toNanos(30)));

    assertThat(rows(batch)).containsExactly(2L);
    assertThat(Duration.ofNanos(System.nanoTime() - offered)).isGreaterThanOrEqualTo(linger);
  }

  @Test
  void interrupted_while_lingering_it_returns_the_batch_it_took_and_keeps_the_interrupt() throws Exception {
    HandOvers handOvers = new HandOvers(100, 200, Duration.ofMinutes(1), Duration.ofMinutes(1));
    handOvers.offer(1, null);
    handOvers.next(SECOND);
    handOvers.offer(2, null); // a stream: the batch of 2 lingers for a minute

    AtomicReference<List<HandOver>> taken = new AtomicReference<>();
    AtomicBoolean interruptKept = new AtomicBoolean();
    Thread gatherer = new Thread(() -> {
      try {
        taken.set(handOvers.next(SECOND));
        interruptKept.set(Thread.currentThread().isInterrupted());
      } catch (InterruptedException e) {
        taken.set(List.of()); // the row taken would then wait for the polling relay's grace
      }
    });
    gatherer.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> gatherer.getState() == Thread.State.TIMED_WAITING);
    gatherer.interrupt();
    gatherer.join(TimeUnit.SECONDS.toMillis(5));

    assertThat(gatherer.isAlive()).isFalse();
    assertThat(rows(taken.get())).containsExactly(2L);
    assertThat(interruptKept).isTrue();
  }

  @Test
  void a_batch_takes_at_most_the_batch_size_and_leaves_the_rest_queued_in_order() throws Exception {
    HandOvers handOvers = new HandOvers(100, 3, Duration.ZERO);
    LongStream.rangeClosed(1, 5).forEach(row -> handOvers.offer(row, null));

    assertThat(rows(handOvers.next(SECOND))).containsExactly(1L, 2L, 3L);
    assertThat(rows(handOvers.next(SECOND))).containsExactly(4L, 5L);
    assertThat(handOvers.next(TimeUnit.MILLISECONDS.toNanos(10))).isEmpty();
  }

  @Test
  void a_negative_linger_is_refused() {
    assertThatThrownBy(() -> new HandOvers(100, 200, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_full_queue_refuses_the_submission_so_that_the_polling_relay_publishes_it() {
    HandOvers handOvers = new HandOvers(2, 200, Duration.ZERO);

    assertThat(handOvers.offer(1, null)).isTrue();
    assertThat(handOvers.offer(2, null)).isTrue();
    assertThat(handOvers.offer(3, null)).isFalse();
  }

  private static List<Long> rows(List<HandOver> batch) {
    return batch.stream().map(HandOver::outboxRow).toList();
  }
}
