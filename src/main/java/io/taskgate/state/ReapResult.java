package io.taskgate.state;

/** Tasks whose lease had expired: requeued, failed (out of attempts) or cancelled (as asked). */
public record ReapResult(int requeued, int failed, int cancelled) {
  public int total() {
    return requeued + failed + cancelled;
  }
}
