package io.taskgate.config;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** The {@code taskgate.*} settings. Defaults here are the documented defaults. */
@ConfigurationProperties("taskgate")
public record TaskgateProperties(
    @DefaultValue({"api", "worker"}) List<String> roles,
    @DefaultValue("database") String broker,
    @DefaultValue Api api,
    @DefaultValue Worker worker,
    @DefaultValue Queue queue,
    @DefaultValue Maintenance maintenance,
    @DefaultValue Retention retention,
    @DefaultValue Callbacks callbacks,
    @DefaultValue Idempotency idempotency) {

  public boolean isApi() {
    return roles.contains("api");
  }

  public boolean isWorker() {
    return roles.contains("worker");
  }

  /** @param maxBodyBytes largest accepted submit body; larger ones get 413 */
  public record Api(@DefaultValue("1048576") long maxBodyBytes) {}

  /**
   * @param lease how long a claimed task stays owned without a heartbeat
   * @param heartbeatInterval how often running tasks renew their lease and look for cancellation
   * @param types task types this worker serves; empty means every declared type
   * @param drainTimeout on SIGTERM, how long tasks in flight may still finish before they are
   *     given back to the queue
   * @param oneShot take exactly one task, run it, record it, exit (KEDA ScaledJob)
   * @param oneShotIdleTimeout in one-shot mode, exit 0 after this long without a task
   */
  public record Worker(
      @DefaultValue("30s") Duration lease,
      @DefaultValue("1s") Duration heartbeatInterval,
      @DefaultValue List<String> types,
      @DefaultValue("20s") Duration drainTimeout,
      @DefaultValue("false") boolean oneShot,
      @DefaultValue("30s") Duration oneShotIdleTimeout) {}

  public record Queue(@DefaultValue Database database) {
    /** @param pollInterval how often idle database-queue consumers look for work from other processes */
    public record Database(@DefaultValue("500ms") Duration pollInterval) {}
  }

  /** @param longPollCheck how often a long-polling GET re-reads a task changed by another process */
  public record Maintenance(@DefaultValue("250ms") Duration longPollCheck) {}

  /** @param finished how long finished tasks are kept */
  public record Retention(@DefaultValue("7d") Duration finished) {}

  /**
   * @param secret Standard Webhooks signing secret, {@code whsec_<base64>}
   * @param retrySchedule delay before each retry of a failed delivery (with +-20 % jitter); when
   *     it is used up the delivery is FAILED
   * @param timeout how long one delivery attempt may take
   * @param allowedHosts hosts a callback URL may name; empty allows any
   * @param batchSize deliveries claimed per dispatch round
   * @param parallelism deliveries sent at once by one api replica
   */
  public record Callbacks(
      String secret,
      @DefaultValue({"5s", "30s", "2m", "10m", "30m", "1h", "2h", "4h", "8h", "12h", "24h"})
          List<Duration> retrySchedule,
      @DefaultValue("10s") Duration timeout,
      @DefaultValue List<String> allowedHosts,
      @DefaultValue("100") int batchSize,
      @DefaultValue("8") int parallelism) {}

  /** @param ttl how long an Idempotency-Key is remembered (at least 24 h) */
  public record Idempotency(@DefaultValue("24h") Duration ttl) {}
}
