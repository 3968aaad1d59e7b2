# Taskgate image. Build the jar first (mvn -B package -DskipTests), then:
#   docker build -t registry.example.com/taskgate:0.1.0 .
# (No Docker engine on the development machines: this file is not built in CI.)
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 taskgate \
 && useradd --system --uid 10001 --gid taskgate --home-dir /app --shell /usr/sbin/nologin taskgate
WORKDIR /app
COPY target/taskgate.jar /app/taskgate.jar
USER 10001:10001
EXPOSE 8080
# container-aware heap (the limit, not the node), its full size from the start: a heap that starts
# small keeps a small young generation and collects 5 x as often (bench/RESULTS.md run 10); die on
# OOM so that Kubernetes restarts the pod. The serial collector, named: the JVM picks it itself in a
# container under 1,792 MB, so this keeps a pod given more memory from switching to G1, whose own
# structures took 47 MB of native memory beside a 256 MB heap (Serial: 1 MB) and whose floods ran
# no faster (bench/RESULTS.md run 24)
ENV JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -XX:InitialRAMPercentage=60 -XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"
# exec form: the JVM is PID 1 and receives SIGTERM itself (Taskgate drains, then exits 0)
ENTRYPOINT ["java", "-jar", "/app/taskgate.jar"]
