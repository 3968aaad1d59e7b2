package io.taskgate.broker;

import io.taskgate.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Submissions committed and not yet published by this process, taken by the outbox relay's
 * hand-over threads in batches ({@link OutboxRelay#publishSoon}). One thread gathers the next
 * batch while the other waits for its batch's confirms.
 *
 * <p>While submissions come in a stream (the one before a batch's first was handed less than
 * {@link #STREAM_GAP} before it, or the linger if that is shorter), the batch also takes those
 * handed within the linger of its first, up to {@link #LINGER_FOR_AT_MOST}: at one submission a
 * millisecond each went out alone, and RabbitMQ's cost per message is mostly per confirm round
 * (~2.3k msg/s one confirm at a time, ~20k with confirms in flight). A lone submission goes out at
 * once, and so do tasks submitted one at a time, each after the one before has ended (4-6 ms apart
 * here): the stream test does not grow with the linger (bench/RESULTS.md run 29). The linger delays
 * when a task starts, not when its submission is answered (that was after its commit).
 */
final class HandOvers {

  /** A batch this large goes out without lingering for more. */
  static final int LINGER_FOR_AT_MOST = 16;
  /** Submissions handed less than this apart are a stream (1,000/s: 1 ms apart). */
  static final Duration STREAM_GAP = Duration.ofMillis(2);

  record HandOver(long outboxRow, Task task, long handedAtNanos) {}

  private final BlockingQueue<HandOver> queue;
  private final int batchSize;
  private final long lingerNanos;
  private final long streamGapNanos;
  private final ReentrantLock gathering = new ReentrantLock();
  /** When the last hand-over taken so far was handed (System.nanoTime); guarded by gathering. */
  private long lastHandedAtNanos = System.nanoTime() - TimeUnit.HOURS.toNanos(1);

  HandOvers(int capacity, int batchSize, Duration linger) {
    this(capacity, batchSize, linger, STREAM_GAP);
  }

  /**
   * With another stream gap (tests: one that a slow machine's scheduling cannot exceed). The gap in
   * effect is at most the linger: a gap longer than the linger is the linger.
   */
  HandOvers(int capacity, int batchSize, Duration linger, Duration streamGap) {
    if (linger.isNegative()) {
      throw new IllegalArgumentException("the hand-over linger must not be negative: " + linger);
    }
    if (streamGap.isNegative()) {
      throw new IllegalArgumentException("the stream gap must not be negative: " + streamGap);
    }
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.batchSize = batchSize;
    this.lingerNanos = linger.toNanos();
    this.streamGapNanos = Math.min(streamGap.toNanos(), lingerNanos);
  }

  /** Queues a committed submission; false when the queue is full (the polling relay publishes it then). */
  boolean offer(long outboxRow, Task task) {
    return queue.offer(new HandOver(outboxRow, task, System.nanoTime()));
  }

  /** Submissions queued and not yet taken into a batch (for tests). */
  int queued() {
    return queue.size();
  }

  /** Whether a thread is gathering a batch now (for tests). */
  boolean gathering() {
    return gathering.isLocked();
  }

  /** Whether a thread waits for its turn to gather (for tests). */
  boolean waitingToGather() {
    return gathering.hasQueuedThreads();
  }

  /**
   * The next batch, oldest first: waits up to {@code timeoutNanos} for its first (and while another
   * thread gathers), then, in a stream, up to the linger after its first was handed; empty if none
   * came. Interrupted while lingering, it returns what it has (with the interrupt kept).
   */
  List<HandOver> next(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    if (!gathering.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
      return List.of();
    }
    try {
      HandOver first = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (first == null) {
        return List.of();
      }
      List<HandOver> batch = new ArrayList<>();
      batch.add(first);
      queue.drainTo(batch, batchSize - 1);
      if (first.handedAtNanos() - lastHandedAtNanos < streamGapNanos) {
        long lingerEnd = first.handedAtNanos() + lingerNanos;
        for (long left = lingerEnd - System.nanoTime();
            left > 0 && batch.size() < Math.min(LINGER_FOR_AT_MOST, batchSize);
            left = lingerEnd - System.nanoTime()) {
          HandOver more;
          try {
            more = queue.poll(left, TimeUnit.NANOSECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the items taken are not dropped
            break;
          }
          if (more == null) {
            break;
          }
          batch.add(more);
          queue.drainTo(batch, batchSize - batch.size());
        }
      }
      lastHandedAtNanos = batch.get(batch.size() - 1).handedAtNanos();
      return batch;
    } finally {
      gathering.unlock();
    }
  }
}
