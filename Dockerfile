# The Smartcar bridge as a container image. The image holds no build: package the jar first, then build the image:
#   mvn -B -q package -DskipTests && docker build -t smartcar-bridge .
# docs/deploy/README.md runs it with Docker and on Kubernetes. DeploymentFilesTest checks this file against the build.

# A Java 17 runtime and nothing else (no JDK, no Maven): the service needs only `java -jar`
FROM eclipse-temurin:17-jre

# The service reads application.properties and routes/ from its working directory, and keeps its H2 database in ./data
WORKDIR /app

# A system user and group of the service's own, fixed ids (Kubernetes runAsUser names the same), no shell, no home
RUN groupadd --system --gid 10001 bridge \
 && useradd --system --uid 10001 --gid bridge --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin bridge

# The dependencies, where the jar's manifest classpath looks for them (lib/); first, as they change less than the jar
COPY target/lib/ lib/
# The service (pom.xml: finalName smartcar-bridge)
COPY target/smartcar-bridge.jar smartcar-bridge.jar
# The routes integration teams edit; on Kubernetes a team's own files are mounted over or beside them (docs/deploy)
COPY routes/ routes/
# The settings; secrets and per-deployment values come from environment variables ({{env:NAME}} in the file)
COPY application.properties application.properties

# The data directory, the one place the service writes (jdbc:h2:file:./data/bridge); the files above stay root's
RUN mkdir data && chown bridge:bridge data
# Kept out of the container's own layer: the H2 database outlives the container (unused with PostgreSQL's DB_URL)
VOLUME /app/data

# Run as that user, by number, so that a platform can verify it is not root (Kubernetes runAsNonRoot)
USER 10001:10001

# The main port (webhook, Connect, admin API: HTTP_PORT) and the management port (health, metrics: MANAGEMENT_PORT)
EXPOSE 8080 8081

# The README's start command, from the working directory above. The heap is half the container's memory limit (256 MB
# in a 512 MiB container, the heap the service is measured with) instead of -Xmx256m: the rest is for metaspace,
# threads, code and GC. Exec form: java is PID 1 and gets the SIGTERM that starts the graceful shutdown itself.
CMD ["java", "-XX:MaxRAMPercentage=50", "-jar", "smartcar-bridge.jar"]
