package io.podsync.server.auth;

import java.util.List;

/**
 * An API client of the ERP or operations side.
 *
 * @param scopes any of {@code erp}, {@code ops}, {@code metrics} (scraping {@code /metrics} only)
 */
public record ClientConfig(String id, String secret, List<String> scopes) {
    @Override
    public String toString() {
        return "ClientConfig[id=" + id + ", scopes=" + scopes + "]"; // never the secret
    }
}
