package dev.agon.config;

/**
 * The run's HTTP endpoint: Prometheus metrics, health, the status page and the control API.
 * Loopback by default; bound to any other address the control API requires a bearer token.
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
        int port,
    @Doc(
            "Serve the control API (POST /api/control/pause, resume, checkpoint, stop, schedule,"
                + " averaging;"
                + " agon ctl). Bound beyond loopback it requires the bearer token.")
        boolean control,
    @Doc(
            "File holding the control API's bearer token (its first line); empty: the"
                + " AGON_CONTROL_TOKEN environment variable, else none.")
        String tokenFile) {}
