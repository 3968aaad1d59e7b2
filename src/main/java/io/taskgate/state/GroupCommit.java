package io.taskgate.state;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Group commit for one kind of per-task write that many worker threads make at once (claims, run
 * outcomes): each caller queues its item, and whichever caller takes the writer's role writes
 * everything queued so far in one statement, its own item included, and wakes each caller whose
 * item it wrote (directly: none waits for another to wake first, as they did behind a lock, see
 * bench/RESULTS.md run 9). A lone caller writes at once, alone; under load the items that queued
 * up while a statement ran share the next one, so PostgreSQL plans, executes and commits once for
 * several tasks. Every caller returns only after its item committed (a broker message is still
 * acknowledged after its task's new state is durable).
 *
 * <p>With more than one lane, that many writers run statements at once, each taking what has queued
 * when it starts: a caller that queues while one statement runs and finds a lane free writes at
 * once. A caller whose item another writer took waits for that writer's answer.
 *
 * <p>An item that breaks the statement (a data error) must not fail the items it shared it with:
 * after a {@link DataIntegrityViolationException} each item of that group is written alone. Other
 * failures (the database is unreachable) fail the whole group, as they would each item.
 *
 * <p>With a linger, items that come in a stream (each queued less than the stream gap after the one
 * before) wait for company: the caller that takes a lane for such an item waits until the linger
 * after its item queued has passed (or until its item was written by another) before it writes
 * what has queued. At a steady rate, one item a millisecond, each statement otherwise wrote one
 * item: a commit and a wake-up of the database per item. A lone item is written at once.
 *
 * <p>Operators see how much sharing happens in {@code taskgate_store_group_size_rows} (Prometheus): one
 * sample per statement, the number of rows given to it, tagged with the statement's name.
 *
 * @param <T> what one caller writes
 * @param <R> what that caller gets back
 */
final class GroupCommit<T, R> {

  static final int MAX_GROUP = 64;

  private final ConcurrentLinkedQueue<Entry<T, R>> queue = new ConcurrentLinkedQueue<>();
  /** Statements in flight at most (writers at once); each writes what has queued when it starts. */
  private final int lanes;
  private final AtomicInteger writers = new AtomicInteger();
  private final Function<List<T>, List<R>> writeAll;
  private final DistributionSummary groupSize;
  private final long lingerNanos;
  private final long streamGapNanos;
  /** When the last item was queued (System.nanoTime); racy by design: a hint, not a guard. */
  private volatile long lastQueuedNanos = System.nanoTime() - TimeUnit.HOURS.toNanos(1);

  /**
   * {@code writeAll} writes the items in one statement and returns their results in order;
   * {@code name} names the statement in the group-size metric.
   */
  GroupCommit(String name, MeterRegistry meters, Function<List<T>, List<R>> writeAll) {
    this(name, meters, 1, writeAll);
  }

  /**
   * With {@code lanes} statements in flight at once: a caller that finds fewer writers than that
   * writes what has queued at once instead of waiting for the running statement to end.
   */
  GroupCommit(String name, MeterRegistry meters, int lanes, Function<List<T>, List<R>> writeAll) {
    this(name, meters, lanes, Duration.ZERO, Duration.ZERO, writeAll);
  }

  /**
   * With a {@code linger} for items that come in a stream: queued less than {@code streamGap} after
   * the item before. A linger of zero: none.
   */
  GroupCommit(String name, MeterRegistry meters, int lanes, Duration linger, Duration streamGap,
      Function<List<T>, List<R>> writeAll) {
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes must be at least 1: " + lanes);
    }
    if (linger.isNegative() || streamGap.isNegative()) {
      throw new IllegalArgumentException(
          "the linger and the stream gap must not be negative: " + linger + ", " + streamGap);
    }
    this.lingerNanos = linger.toNanos();
    this.streamGapNanos = streamGap.toNanos();
    this.lanes = lanes;
    this.writeAll = writeAll;
    this.groupSize = DistributionSummary.builder("taskgate.store.group.size")
        .description("Rows written by one statement that several threads shared (group commit)")
        .baseUnit("rows")
        .tag("statement", name)
        .register(meters);
  }

  R write(T item) {
    if (TransactionSynchronizationManager.isActualTransactionActive()) {
      return writeAll.apply(List.of(item)).get(0); // part of the caller's transaction: alone, in it
    }
    Entry<T, R> entry = new Entry<>(item, Thread.currentThread());
    boolean lingers = false;
    long lingerUntil = 0;
    if (lingerNanos > 0) {
      long queuedAt = System.nanoTime();
      lingers = queuedAt - lastQueuedNanos < streamGapNanos; // in a stream
      lastQueuedNanos = queuedAt;
      lingerUntil = queuedAt + lingerNanos;
    }
    queue.add(entry);
    boolean interrupted = false;
    while (!entry.done) {
      if (takeLane()) {
        boolean takenByAnother = false;
        try {
          if (lingers) {
            interrupted |= linger(entry, lingerUntil);
            // once, and only until its own item has queued for the linger: a caller that waited
            // for a lane lingers what is left of it, if anything
            lingers = false;
          }
          // the queue is FIFO and only writers drain it: this entry was written, is queued, or
          // (more than one lane) is in another writer's statement
          while (!entry.done) {
            List<Entry<T, R>> group = new ArrayList<>();
            for (Entry<T, R> next; group.size() < MAX_GROUP && (next = queue.poll()) != null; ) {
              group.add(next);
            }
            if (group.isEmpty()) {
              if (lanes == 1) {
                throw new IllegalStateException("group commit: an entry left the queue unwritten");
              }
              takenByAnother = true; // its writer completes it and wakes this caller
              break;
            }
            groupSize.record(group.size());
            write(group); // completes each entry and wakes its caller
          }
        } finally {
          if (!entry.done && !takenByAnother) {
            // leaving by an Error before this caller's own item was taken: take it out so that it
            // is not written later for nobody (with more lanes another writer may have taken it
            // already; then it is written, and this caller still throws the Error), and the oldest
            // queued item below is another caller's
            queue.remove(entry);
          }
          writers.decrementAndGet();
          // items queued after the last group was taken may have no writer yet: wake the oldest's
          // caller to write them (a caller that queues from now on takes a free lane itself)
          Entry<T, R> next = queue.peek();
          if (next != null) {
            LockSupport.unpark(next.caller);
          }
        }
        if (entry.done) {
          break;
        }
      }
      // no lane free, or this entry is in another writer's statement: until a writer completes it
      // or hands its role over
      LockSupport.park(this);
      interrupted |= Thread.interrupted(); // kept for the caller, but no reason to stop waiting
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (entry.failure != null) {
      throw entry.failure;
    }
    return entry.result;
  }

  /**
   * Waits, holding a lane, until {@code until} (System.nanoTime) or until another writer wrote the
   * entry; items that queue meanwhile wait for this writer. True when interrupted (it stops then).
   */
  private boolean linger(Entry<T, R> entry, long until) {
    for (long left = until - System.nanoTime(); left > 0 && !entry.done;
        left = until - System.nanoTime()) {
      LockSupport.parkNanos(this, left);
      if (Thread.interrupted()) {
        return true;
      }
    }
    return false;
  }

  private boolean takeLane() {
    for (int n = writers.get(); n < lanes; n = writers.get()) {
      if (writers.compareAndSet(n, n + 1)) {
        return true;
      }
    }
    return false;
  }

  /** Items queued and not yet taken into a statement (for tests). */
  int queued() {
    return queue.size();
  }

  private void write(List<Entry<T, R>> group) {
    try {
      List<R> results = writeAll.apply(group.stream().map(e -> e.item).toList());
      if (results.size() != group.size()) {
        throw new IllegalStateException(
            "group commit: " + results.size() + " results for " + group.size() + " items");
      }
      for (int i = 0; i < group.size(); i++) {
        group.get(i).complete(results.get(i), null);
      }
    } catch (DataIntegrityViolationException e) {
      if (group.size() == 1) {
        group.get(0).complete(null, e);
      } else {
        group.forEach(entry -> write(List.of(entry)));
      }
    } catch (RuntimeException e) {
      group.forEach(entry -> entry.complete(null, e));
    } catch (Error e) {
      group.forEach(entry -> entry.complete(null, new IllegalStateException(e)));
      throw e;
    } finally {
      // every entry taken from the queue gets an answer, or its caller would wait forever: also
      // when an Error ended the item-by-item rewrite of a group half-way
      // (checked first: no exception is built on the normal path, where every entry is answered)
      for (Entry<T, R> entry : group) {
        if (!entry.done) {
          entry.complete(null, new IllegalStateException(
              "group commit: the write ended before this item was written"));
        }
      }
    }
  }

  private static final class Entry<T, R> {
    final T item;
    final Thread caller;
    // written by the writer before done; read by the caller after it sees done
    R result;
    RuntimeException failure;
    volatile boolean done;

    Entry(T item, Thread caller) {
      this.item = item;
      this.caller = caller;
    }

    /** The first answer counts; only the writer calls this. */
    void complete(R result, RuntimeException failure) {
      if (done) {
        return;
      }
      this.result = result;
      this.failure = failure;
      this.done = true;
      if (caller != Thread.currentThread()) {
        LockSupport.unpark(caller);
      }
    }
  }
}
