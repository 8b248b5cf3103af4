package io.podsync.server;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;

/**
 * Starts the server with its configuration ({@link ServerConfig#load}: {@code application.yaml}, the operator's file,
 * environment variables and system properties). With the argument {@code --train} it runs the training for the JDK's
 * ahead-of-time cache instead ({@link Training}) and exits.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        if (args.length == 1 && args[0].equals("--train")) {
            Training.run();
            return;
        }
        if (args.length > 0) {
            System.err.println("usage: podsync [--train]  (settings come from the configuration, see ServerConfig)");
            System.exit(2);
        }
        Config config = ServerConfig.load();
        PodsyncServer server = PodsyncServer.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "podsync-shutdown"));
        System.getLogger(Main.class.getName())
                .log(
                        System.Logger.Level.INFO,
                        "podsync listening on http://localhost:" + server.port() + " (database "
                                + server.config().db() + ")");
    }
}
