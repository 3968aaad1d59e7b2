package io.taskgate.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The receiving side of Standard Webhooks, written from the specification (not from Taskgate's
 * signer): HMAC-SHA256 keyed with the base64-decoded part of {@code whsec_...} over
 * {@code id.timestamp.body}; the header holds space-separated {@code v1,<base64>} signatures.
 */
public final class StandardWebhooks {

  private StandardWebhooks() {}

  public static boolean verify(String secret, String id, String timestamp, String body, String signatures)
      throws Exception {
    byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
    for (String candidate : signatures.split(" ")) {
      if (candidate.startsWith("v1,")
          && MessageDigest.isEqual(expected, Base64.getDecoder().decode(candidate.substring(3)))) {
        return true;
      }
    }
    return false;
  }
}
