package io.taskgate.task;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * New task ids: RFC 9562 version 7 UUIDs, the Unix time in milliseconds followed by 74 random bits.
 *
 * <p>Time-ordered, so the primary key's inserts land on its rightmost pages instead of anywhere in
 * it: on a {@code task} table that keeps a week of tasks, the index outgrows the database's cache and
 * a random (version 4) id makes each submission read and dirty some page of it, and write that
 * whole page to the WAL after each checkpoint. On this machine's PostgreSQL, 200,000 inserts into a
 * table of 4 million rows (primary key 152 MB, over the 128 MB of {@code shared_buffers}) took
 * 4.9 s and wrote 143 MB of WAL with random ids, 3.7 s and 32 MB with version 7 ids
 * (bench/RESULTS.md run 23).
 *
 * <p>The id still works as the handle that lets a caller read a task: its 74 random bits come from
 * {@link SecureRandom}, as the 122 of {@link UUID#randomUUID()} do, and cannot be guessed from
 * another task's id. It reveals the creation time to the millisecond, which the task's view shows
 * anyway.
 */
public final class TaskIds {

  private static final SecureRandom RANDOM = new SecureRandom();

  private TaskIds() {}

  /** A new version 7 id for a task created now. */
  public static UUID next() {
    return at(System.currentTimeMillis());
  }

  static UUID at(long unixMillis) {
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    long randA = ((random[0] & 0xFFL) << 8 | (random[1] & 0xFFL)) & 0xFFFL;
    long randB = 0;
    for (int i = 2; i < 10; i++) {
      randB = randB << 8 | (random[i] & 0xFFL);
    }
    long msb = (unixMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | randA;
    long lsb = randB & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L; // variant 10
    return new UUID(msb, lsb);
  }
}
