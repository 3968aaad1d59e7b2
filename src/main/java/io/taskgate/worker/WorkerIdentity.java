package io.taskgate.worker;

import java.net.InetAddress;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** The lease owner name of this process: host, pid and a random suffix (pids repeat in containers). */
@Component
public class WorkerIdentity {

  private final String id;

  public WorkerIdentity() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "unknown-host";
    }
    id = host + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
  }

  public String id() {
    return id;
  }
}
