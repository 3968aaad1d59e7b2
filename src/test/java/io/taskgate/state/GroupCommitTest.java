package io.taskgate.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DataAccessResourceFailureException;

/**
 * Worker threads that write at the same time share one statement, and each gets back exactly its
 * own result — also when another item of its group breaks the statement.
 */
class GroupCommitTest {

  final ExecutorService threads = Executors.newFixedThreadPool(8);
  final List<List<String>> statements = Collections.synchronizedList(new ArrayList<>());
  final CountDownLatch firstStatementMayEnd = new CountDownLatch(1);

  /**
   * Upper-cases each item; the first statement waits until the test lets it end; "bad", "down",
   * "error" and "short" break it in their ways.
   */
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final GroupCommit<String, String> group = new GroupCommit<>("test", meters, items -> {
    statements.add(items);
    if (statements.size() == 1) {
      await().atMost(10, TimeUnit.SECONDS).until(() -> firstStatementMayEnd.getCount() == 0);
    }
    if (items.contains("bad")) {
      throw new DataIntegrityViolationException("bad item");
    }
    if (items.contains("down")) {
      throw new DataAccessResourceFailureException("database unreachable");
    }
    if (items.contains("error")) {
      throw new Error("the JVM is in trouble");
    }
    if (items.contains("short")) {
      return List.of(); // a statement that answers for fewer items than it was given
    }
    return items.stream().map(String::toUpperCase).toList();
  });

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  /** Writes "a", whose statement waits until the items have queued behind it; all results. */
  List<CompletableFuture<String>> writeWhileAStatementRuns(String... items) {
    List<CompletableFuture<String>> results = new ArrayList<>();
    results.add(CompletableFuture.supplyAsync(() -> group.write("a"), threads));
    await().until(() -> statements.size() == 1);
    for (String item : items) {
      int queued = group.queued();
      results.add(CompletableFuture.supplyAsync(() -> group.write(item), threads));
      await().until(() -> group.queued() == queued + 1); // queued in the order given
    }
    firstStatementMayEnd.countDown();
    return results;
  }

  static String result(CompletableFuture<String> write) throws Exception {
    return write.get(10, TimeUnit.SECONDS);
  }

  @Test
  void items_queued_while_a_statement_runs_share_the_next_one_and_each_caller_gets_its_own_result()
      throws Exception {
    List<CompletableFuture<String>> writes = writeWhileAStatementRuns("b", "c", "d");

    assertThat(result(writes.get(0))).isEqualTo("A");
    assertThat(result(writes.get(1))).isEqualTo("B");
    assertThat(result(writes.get(2))).isEqualTo("C");
    assertThat(result(writes.get(3))).isEqualTo("D");
    assertThat(statements).hasSize(2);
    assertThat(statements.get(0)).containsExactly("a");
    assertThat(statements.get(1)).containsExactlyInAnyOrder("b", "c", "d");
    // what operators see: two statements, four rows, at most three in one
    DistributionSummary size = meters.get("taskgate.store.group.size").tag("statement", "test").summary();
    assertThat(size.count()).isEqualTo(2);
    assertThat(size.totalAmount()).isEqualTo(4);
    assertThat(size.max()).isEqualTo(3);
  }

  @Test
  void an_item_that_breaks_its_group_fails_alone_and_the_others_are_written() throws Exception {
    List<CompletableFuture<String>> writes = writeWhileAStatementRuns("b", "bad", "c");

    assertThat(result(writes.get(0))).isEqualTo("A");
    assertThat(result(writes.get(1))).isEqualTo("B");
    assertThat(result(writes.get(3))).isEqualTo("C");
    assertThatThrownBy(() -> result(writes.get(2))).hasCauseInstanceOf(DataIntegrityViolationException.class);
    // the group of three failed, then each of its items was written alone
    assertThat(statements).hasSize(5);
    assertThat(statements.subList(2, 5)).allSatisfy(s -> assertThat(s).hasSize(1));
  }

  @Test
  void when_the_database_is_unreachable_every_caller_of_the_group_gets_the_failure() throws Exception {
    List<CompletableFuture<String>> writes = writeWhileAStatementRuns("b", "down", "c");

    assertThat(result(writes.get(0))).isEqualTo("A");
    assertThat(writes.subList(1, 4)).allSatisfy(w -> assertThatThrownBy(() -> result(w))
        .hasCauseInstanceOf(DataAccessResourceFailureException.class));
    // not retried item by item: against an unreachable database that only multiplies the wait
    assertThat(statements).hasSize(2);
  }

  @Test
  void an_error_while_a_broken_group_is_rewritten_item_by_item_leaves_no_caller_waiting() {
    List<CompletableFuture<String>> writes = writeWhileAStatementRuns("b", "bad", "error", "c");

    // "c" came after the Error: never written, and its caller must hear so rather than wait forever
    await().atMost(10, TimeUnit.SECONDS).until(() -> writes.stream().allMatch(CompletableFuture::isDone));
    assertThat(writes.get(4)).isCompletedExceptionally();
    assertThat(statements).doesNotContain(List.of("c"));
  }

  @Test
  void a_statement_that_answers_for_fewer_items_fails_each_caller_instead_of_guessing() {
    List<CompletableFuture<String>> writes = writeWhileAStatementRuns("b", "short", "c");

    assertThat(writes.subList(1, 4)).allSatisfy(w -> assertThatThrownBy(() -> result(w))
        .hasCauseInstanceOf(IllegalStateException.class));
  }

  // Two statements in flight at once (taskgate.store.submit-lanes=2). Items named "hold<n>" make
  // their statement wait until the test counts latch n down.
  final List<CountDownLatch> holds = List.of(new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1));
  final GroupCommit<String, String> twoLanes = new GroupCommit<>("two", meters, 2, items -> {
    statements.add(items);
    for (String item : items) {
      if (item.startsWith("hold")) {
        CountDownLatch hold = holds.get(Integer.parseInt(item.substring(4)) - 1);
        await().atMost(10, TimeUnit.SECONDS).until(() -> hold.getCount() == 0);
      }
    }
    return items.stream().map(String::toUpperCase).toList();
  });

  @Test
  void with_two_lanes_an_item_that_arrives_while_a_statement_runs_is_written_at_once() throws Exception {
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> twoLanes.write("hold1"), threads);
    await().until(() -> statements.size() == 1);

    // the first statement still runs: the second lane takes "b" at once
    assertThat(twoLanes.write("b")).isEqualTo("B");
    assertThat(first).isNotDone();

    holds.get(0).countDown();
    assertThat(result(first)).isEqualTo("HOLD1");
    assertThat(statements).containsExactly(List.of("hold1"), List.of("b"));
  }

  @Test
  void with_two_lanes_a_caller_whose_item_the_other_writer_took_waits_for_that_statement() throws Exception {
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> twoLanes.write("hold1"), threads);
    await().until(() -> statements.size() == 1);
    CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> twoLanes.write("hold2"), threads);
    await().until(() -> statements.size() == 2);
    // both lanes busy: "hold3" and then "d" queue
    CompletableFuture<String> third = CompletableFuture.supplyAsync(() -> twoLanes.write("hold3"), threads);
    await().until(() -> twoLanes.queued() == 1);
    CompletableFuture<String> fourth = new CompletableFuture<>();
    Thread fourthCaller = new Thread(() -> {
      try {
        String r = twoLanes.write("d");
        fourth.complete(r + (Thread.currentThread().isInterrupted() ? " interrupted" : ""));
      } catch (Throwable e) {
        fourth.completeExceptionally(e);
      }
    });
    fourthCaller.start();
    await().until(() -> twoLanes.queued() == 2);

    // the second lane frees and wakes the oldest queued caller, which writes "hold3" and "d" together
    holds.get(1).countDown();
    assertThat(result(second)).isEqualTo("HOLD2");
    await().until(() -> statements.size() == 3);
    assertThat(statements.get(2)).containsExactly("hold3", "d");
    // the first lane frees too; then "d"'s caller wakes (interrupted) while its item is in the
    // other writer's statement: it finds a free lane and an empty queue, and must wait, not fail
    holds.get(0).countDown();
    assertThat(result(first)).isEqualTo("HOLD1");
    fourthCaller.interrupt();
    await().until(() -> !fourthCaller.isInterrupted() && fourthCaller.getState() == Thread.State.WAITING);
    assertThat(fourth).isNotDone();

    holds.get(2).countDown();
    assertThat(result(third)).isEqualTo("HOLD3");
    assertThat(result(fourth)).isEqualTo("D interrupted"); // its result, and its interrupt kept
    assertThat(statements).hasSize(3);
  }

  // taskgate.store.submit-linger: items that come in a stream wait for company

  /** Upper-cases each item, recording each statement. */
  GroupCommit<String, String> lingering(int lanes, Duration linger, Duration streamGap) {
    return new GroupCommit<>("linger", meters, lanes, linger, streamGap, items -> {
      statements.add(items);
      return items.stream().map(String::toUpperCase).toList();
    });
  }

  /**
   * Starts a thread that writes {@code item} and returns once it lingers; its result, with
   * " interrupted" when the caller's interrupt was kept.
   */
  static Thread lingeringCaller(GroupCommit<String, String> lingering, String item,
      CompletableFuture<String> result) {
    Thread caller = new Thread(() -> {
      String r = lingering.write(item);
      result.complete(r + (Thread.currentThread().isInterrupted() ? " interrupted" : ""));
    });
    caller.start();
    await().until(() -> caller.getState() == Thread.State.TIMED_WAITING); // lingering
    return caller;
  }

  @Test
  void items_in_a_stream_wait_for_the_linger_and_share_one_statement() throws Exception {
    // a stream gap of a minute: "b" and "c" are a stream however slowly this machine runs
    // a linger of 5 s: "c" must queue before it ends, also on a machine that stalls for a while
    GroupCommit<String, String> lingering = lingering(1, Duration.ofSeconds(5), Duration.ofMinutes(1));
    assertThat(lingering.write("a")).isEqualTo("A"); // the first: nothing before it, written at once

    CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> lingering.write("b"), threads);
    await().until(() -> lingering.queued() == 1);
    CompletableFuture<String> c = CompletableFuture.supplyAsync(() -> lingering.write("c"), threads);
    await().until(() -> lingering.queued() == 2); // "b"'s caller holds the lane while it lingers

    assertThat(result(b)).isEqualTo("B");
    assertThat(result(c)).isEqualTo("C");
    assertThat(statements).containsExactly(List.of("a"), List.of("b", "c"));
  }

  @Test
  void an_item_further_from_the_one_before_than_the_stream_gap_is_written_at_once() {
    GroupCommit<String, String> lingering = lingering(2, Duration.ofMinutes(1), Duration.ofMillis(50));
    assertThat(lingering.write("a")).isEqualTo("A");
    long written = System.nanoTime();
    await().pollDelay(Duration.ofMillis(100)).until(() -> System.nanoTime() - written > 2 * 50_000_000L);

    // lingering would hold it for a minute
    assertThat(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> lingering.write("b"))).isEqualTo("B");
    assertThat(statements).containsExactly(List.of("a"), List.of("b"));
  }

  @Test
  void interrupted_while_lingering_it_writes_at_once_and_keeps_the_interrupt() throws Exception {
    GroupCommit<String, String> lingering = lingering(1, Duration.ofMinutes(1), Duration.ofMinutes(1));
    lingering.write("a");
    CompletableFuture<String> b = new CompletableFuture<>();
    Thread caller = lingeringCaller(lingering, "b", b);

    caller.interrupt();
    assertThat(result(b)).isEqualTo("B interrupted");
    assertThat(statements).containsExactly(List.of("a"), List.of("b"));
  }

  @Test
  void a_caller_whose_item_another_writer_wrote_stops_lingering() throws Exception {
    // two lanes: "b" and "c" each take one and linger for a minute
    GroupCommit<String, String> lingering = lingering(2, Duration.ofMinutes(1), Duration.ofMinutes(1));
    lingering.write("a");
    CompletableFuture<String> b = new CompletableFuture<>();
    Thread bCaller = lingeringCaller(lingering, "b", b);
    CompletableFuture<String> c = CompletableFuture.supplyAsync(() -> lingering.write("c"), threads);
    await().until(() -> lingering.queued() == 2);

    // "b"'s writer stops lingering (interrupted) and writes "c" too: "c"'s caller must return now,
    // not when its own minute is over
    bCaller.interrupt();
    assertThat(result(b)).isEqualTo("B interrupted");
    assertThat(result(c)).isEqualTo("C");
    assertThat(statements).containsExactly(List.of("a"), List.of("b", "c"));
  }

  @Test
  void a_negative_linger_is_refused() {
    assertThatThrownBy(() -> lingering(1, Duration.ofMillis(-1), Duration.ofMillis(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be negative");
  }
}
