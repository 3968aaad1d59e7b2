package io.taskgate.state;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/** Position in the newest-first task listing: the (createdAt, id) of the last item returned. */
public record PageCursor(Instant createdAt, UUID id) {

  public String encode() {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
    String raw = micros + ":" + id;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Empty when the text is not a cursor this service issued. */
  public static Optional<PageCursor> decode(String text) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
      int colon = raw.indexOf(':');
      if (colon < 0) {
        return Optional.empty();
      }
      long micros = Long.parseLong(raw.substring(0, colon));
      UUID id = UUID.fromString(raw.substring(colon + 1));
      return Optional.of(new PageCursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), id));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
