package io.taskgate.callback;

import io.taskgate.config.TaskgateProperties;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Which callback URLs a caller may give: absolute http or https, with a host, at most 2048
 * characters, and — when {@code taskgate.callbacks.allowed-hosts} is set — on one of those hosts
 * (an entry {@code .example.com} allows its subdomains).
 */
@Component
public class CallbackUrlPolicy {

  private final List<String> allowedHosts;

  public CallbackUrlPolicy(TaskgateProperties properties) {
    this.allowedHosts = properties.callbacks().allowedHosts().stream()
        .map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
  }

  /** Empty when acceptable, otherwise why not. */
  public Optional<String> problem(String url) {
    if (url.length() > 2048) {
      return Optional.of("longer than 2048 characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return Optional.of("not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
      return Optional.of("must be an absolute http or https URL");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return Optional.of("must name a host");
    }
    if (uri.getRawUserInfo() != null) {
      return Optional.of("must not carry credentials");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    if (!allowedHosts.isEmpty() && allowedHosts.stream().noneMatch(a -> a.startsWith(".")
        ? host.endsWith(a) || host.equals(a.substring(1)) : host.equals(a))) {
      return Optional.of("host '" + host + "' is not allowed (taskgate.callbacks.allowed-hosts)");
    }
    return Optional.empty();
  }
}
