package io.podsync.server.auth;

import io.podsync.storage.FileModes;
import io.podsync.storage.jdbc.Database;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ERP and ops API clients. Configured clients come from {@code podsync.auth.clients}. With none configured (the
 * one-command default), the first start generates an {@code erp} and an {@code ops} client, stores only their
 * hashes in the database, and writes the secrets once to {@code bootstrap-credentials.properties} in the data
 * directory (owner-readable only). Secrets never reach the log.
 */
public final class ClientRegistry {
    private static final System.Logger LOG = System.getLogger(ClientRegistry.class.getName());
    public static final String BOOTSTRAP_FILE = "bootstrap-credentials.properties";

    /** A known client: the hash of its secret and its scopes. */
    public record Client(String id, String secretHash, List<String> scopes) {}

    private final Map<String, Client> clients = new HashMap<>();

    /**
     * @param configured {@code podsync.auth.clients}
     * @param dataDir where the bootstrap credentials are written when none is configured
     */
    public ClientRegistry(List<ClientConfig> configured, Path dataDir, Database db) {
        for (ClientConfig c : configured) {
            clients.put(c.id(), new Client(c.id(), Secrets.hash(c.secret()), c.scopes()));
        }
        FileModes.privateFile(dataDir.resolve(BOOTSTRAP_FILE), "the bootstrap credentials");
        if (clients.isEmpty()) {
            bootstrap(dataDir, db);
        }
    }

    /** The API client of this id, if it is configured (or bootstrapped). */
    public Optional<Client> find(String id) {
        return Optional.ofNullable(id == null ? null : clients.get(id));
    }

    /** Whether an API client of this id exists (its failed sign-ins are counted against it). */
    public boolean knows(String id) {
        return id != null && clients.containsKey(id);
    }

    public Optional<Client> authenticate(String id, String secret) {
        Client c = id == null ? null : clients.get(id);
        // Hash even for an unknown id so timing does not tell which ids exist.
        boolean ok = Secrets.matches(secret, c == null ? Secrets.hash("unknown-client") : c.secretHash());
        return ok && c != null ? Optional.of(c) : Optional.empty();
    }

    private void bootstrap(Path dataDir, Database db) {
        String erpSecret = Secrets.random(32);
        String opsSecret = Secrets.random(32);
        String erpHash = Secrets.hash(erpSecret);
        String opsHash = Secrets.hash(opsSecret);
        String[] stored = db.write(tx -> new String[] {
            tx.settings().putIfAbsent("bootstrap.client.erp", erpHash),
            tx.settings().putIfAbsent("bootstrap.client.ops", opsHash)
        });
        clients.put("erp", new Client("erp", stored[0], List.of(Scope.ERP)));
        clients.put("ops", new Client("ops", stored[1], List.of(Scope.OPS, Scope.ERP)));
        if (stored[0].equals(erpHash) && stored[1].equals(opsHash)) {
            Path file = dataDir.resolve(BOOTSTRAP_FILE);
            try {
                // A file left from an earlier database holds secrets that no longer sign in; the new ones replace it
                // (rather than a start that fails on the existing file).
                if (java.nio.file.Files.deleteIfExists(file)) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "replaced " + file.toAbsolutePath() + " of an earlier database");
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot replace " + file, e);
            }
            FileModes.writeNewPrivateFile(
                    file,
                    ("# podsync bootstrap API clients, written once at first start. Keep it secret.\n"
                                    + "erp.client-id=erp\nerp.client-secret=" + erpSecret + "\n"
                                    + "ops.client-id=ops\nops.client-secret=" + opsSecret + "\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            LOG.log(
                    System.Logger.Level.INFO,
                    "bootstrap API clients erp and ops created; secrets in " + file.toAbsolutePath());
        }
    }
}
