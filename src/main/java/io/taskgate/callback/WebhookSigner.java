package io.taskgate.callback;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">}, keyed
 * with the bytes of a {@code whsec_<base64>} secret.
 */
public final class WebhookSigner {

  static final String PREFIX = "whsec_";
  private final byte[] key;

  public WebhookSigner(String secret) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("taskgate.callbacks.secret is not set");
    }
    String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
    try {
      this.key = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("taskgate.callbacks.secret must be whsec_<base64>", e);
    }
    if (key.length < 16) {
      throw new IllegalArgumentException("taskgate.callbacks.secret is too short: use at least 16 random bytes");
    }
  }

  public String sign(String messageId, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] signed = mac.doFinal(
          (messageId + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(signed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
