package io.podsync.server.routes;

import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.json.CanonicalJson;
import io.podsync.protocol.json.ProtocolJson;
import java.util.ArrayList;
import java.util.List;

/**
 * What a release writes that does not depend on what is stored (its hashes and its JSON), computed before the write: on
 * the single writer, which every push waits for, they were a third of the time per released stop.
 *
 * @param stopHashes and {@code policies}: one per stop, in the release's order
 */
record PreparedRelease(String hash, String releaseJson, List<String> stopHashes, List<String> policies) {
    static PreparedRelease of(RouteRelease release) {
        List<String> hashes = new ArrayList<>(release.stops().size());
        List<String> policies = new ArrayList<>(release.stops().size());
        for (StopSpec spec : release.stops()) {
            hashes.add(CanonicalJson.fingerprint(spec));
            policies.add(ProtocolJson.toString(policy(spec)));
        }
        return new PreparedRelease(
                CanonicalJson.fingerprint(release), ProtocolJson.toString(release), hashes, policies);
    }

    static ProofPolicy policy(StopSpec s) {
        return s.proofPolicy() != null ? s.proofPolicy() : ProofPolicy.NONE;
    }
}
