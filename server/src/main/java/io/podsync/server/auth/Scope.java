package io.podsync.server.auth;

/** What a token may do. */
public final class Scope {
    /** A driver's device: its own routes, push and pull. */
    public static final String DRIVER = "driver";
    /** An ERP or dispatch system: release routes, provision devices, read outcomes. */
    public static final String ERP = "erp";
    /** Operations people and tools: everything the ERP can, plus exceptions, devices, keys, metrics. */
    public static final String OPS = "ops";
    /** A metrics scraper (Prometheus): {@code /metrics} and nothing else. */
    public static final String METRICS = "metrics";

    private Scope() {}
}
