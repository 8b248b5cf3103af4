package io.podsync.server;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;

/** Starts the server with {@code application.yaml} (and environment overrides). */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        PodsyncServer server = PodsyncServer.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "podsync-shutdown"));
        System.getLogger(Main.class.getName())
                .log(
                        System.Logger.Level.INFO,
                        "podsync listening on http://localhost:" + server.port() + " (database "
                                + ServerConfig.from(config).db() + ")");
    }
}
