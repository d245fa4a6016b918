package dev.agon.config;

/**
 * The run's HTTP endpoint: Prometheus metrics, health, and the status page. Loopback by default,
 * since the status page and (later) the control routes are not authenticated.
 */
public record MetricsConfig(
    @Doc(
            "Serve /metrics (Prometheus), /-/healthy, /-/ready, the status page / and"
                + " /samples/latest.png while the run trains.")
        boolean enabled,
    @Doc("Address to listen on; 127.0.0.1 keeps it local, 0.0.0.0 exposes it (e.g. in Docker).")
        @NonEmpty
        String host,
    @Doc(
            "TCP port; 0 picks a free one. The bound port is logged and written to the run"
                + " directory's http.port.")
        @Min(0)
        @Max(65535)
        int port) {}
