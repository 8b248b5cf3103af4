package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ResourceOwnerPasswordCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import io.podsync.protocol.json.ProtocolJson;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token endpoint speaks RFC 6749 client credentials to a stock OAuth 2.0 client (the Nimbus OAuth 2.0 SDK): both
 * client authentication methods, scopes, and the standard error answers; and its failures count against the same
 * sign-in limit as the JSON form's.
 */
class OAuth2ClientCredentialsTest {
    @TempDir
    Path dir;

    TestServer server;
    URI tokenEndpoint;

    @BeforeEach
    void start() {
        server = TestServer.start(dir);
        tokenEndpoint = server.uri().resolve("/v1/auth/token");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TokenResponse request(ClientAuthentication auth, AuthorizationGrant grant, Scope scope) throws Exception {
        HTTPResponse http = new TokenRequest(tokenEndpoint, auth, grant, scope)
                .toHTTPRequest()
                .send();
        return TokenResponse.parse(http);
    }

    private static ClientAuthentication basic(String id, String secret) {
        return new ClientSecretBasic(new ClientID(id), new Secret(secret));
    }

    private static ClientAuthentication post(String id, String secret) {
        return new ClientSecretPost(new ClientID(id), new Secret(secret));
    }

    private int status(String path, String accessToken) {
        return server.send("GET", path, null, null, accessToken).statusCode();
    }

    @Test
    void bothClientAuthenticationMethodsGetATokenTheServerAccepts() throws Exception {
        for (ClientAuthentication auth :
                new ClientAuthentication[] {basic("ops", TestServer.OPS_SECRET), post("ops", TestServer.OPS_SECRET)}) {
            TokenResponse res = request(auth, new ClientCredentialsGrant(), null);
            assertTrue(res.indicatesSuccess(), auth.getMethod() + ": " + res);
            AccessTokenResponse ok = res.toSuccessResponse();
            assertEquals("Bearer", ok.getTokens().getAccessToken().getType().getValue());
            assertEquals(900, ok.getTokens().getAccessToken().getLifetime());
            assertEquals(Scope.parse("ops"), ok.getTokens().getAccessToken().getScope());
            String token = ok.getTokens().getAccessToken().getValue();
            assertEquals(
                    200, status("/v1/ops/exceptions", token), auth.getMethod().getValue());
            assertEquals(200, status("/metrics", token));
        }
    }

    @Test
    void theAnswerIsNeverCached() throws Exception {
        HTTPRequest req = new TokenRequest(
                        tokenEndpoint, basic("erp", TestServer.ERP_SECRET), new ClientCredentialsGrant(), null)
                .toHTTPRequest();
        HTTPResponse res = req.send();
        assertEquals(200, res.getStatusCode());
        assertEquals("application/json", res.getHeaderValue("Content-Type"));
        assertEquals("no-store", res.getHeaderValue("Cache-Control"));
        assertEquals("no-cache", res.getHeaderValue("Pragma"));
    }

    @Test
    void aClientMayAskForLessThanItHoldsButNotMore() throws Exception {
        server.close();
        server = TestServer.start(
                dir,
                Map.of(
                        "podsync.auth.clients.1.scopes.0", "ops",
                        "podsync.auth.clients.1.scopes.1", "erp"));
        tokenEndpoint = server.uri().resolve("/v1/auth/token");
        TokenResponse erpOnly =
                request(basic("ops", TestServer.OPS_SECRET), new ClientCredentialsGrant(), new Scope("erp"));
        assertTrue(erpOnly.indicatesSuccess(), erpOnly.toString());
        String token = erpOnly.toSuccessResponse().getTokens().getAccessToken().getValue();
        assertEquals(
                Scope.parse("erp"),
                erpOnly.toSuccessResponse().getTokens().getAccessToken().getScope());
        assertEquals(403, status("/v1/ops/exceptions", token), "an erp-only token is not an ops token");

        TokenResponse more =
                request(basic("erp", TestServer.ERP_SECRET), new ClientCredentialsGrant(), new Scope("ops"));
        assertError(more, 400, "invalid_scope");
    }

    @Test
    void wrongSecretsAndUnknownClientsAre401InvalidClientForBothMethods() throws Exception {
        assertError(
                request(basic("ops", "wrong-secret-0123456789"), new ClientCredentialsGrant(), null),
                401,
                "invalid_client");
        assertError(
                request(post("ops", "wrong-secret-0123456789"), new ClientCredentialsGrant(), null),
                401,
                "invalid_client");
        assertError(
                request(basic("nobody", TestServer.OPS_SECRET), new ClientCredentialsGrant(), null),
                401,
                "invalid_client");

        // RFC 6749 section 5.2: a client that tried HTTP Basic is told the scheme in WWW-Authenticate
        HTTPResponse res = new TokenRequest(
                        tokenEndpoint, basic("ops", "wrong-secret-0123456789"), new ClientCredentialsGrant(), null)
                .toHTTPRequest()
                .send();
        assertEquals("Basic realm=\"podsync\"", res.getHeaderValue("WWW-Authenticate"));
        assertEquals("application/json", res.getHeaderValue("Content-Type"));
        assertEquals("no-store", res.getHeaderValue("Cache-Control"));
    }

    @Test
    void otherGrantTypesAreUnsupported() throws Exception {
        TokenResponse res = request(
                basic("ops", TestServer.OPS_SECRET),
                new ResourceOwnerPasswordCredentialsGrant("driver", new Secret("password")),
                null);
        assertError(res, 400, "unsupported_grant_type");
    }

    @Test
    void malformedRequestsAreInvalidRequest() {
        String basic = "Basic " + Base64.getEncoder().encodeToString(("ops:" + TestServer.OPS_SECRET).getBytes());
        // both methods at once
        oauthError(
                form("grant_type=client_credentials&client_id=ops&client_secret=" + TestServer.OPS_SECRET, basic),
                400,
                "invalid_request");
        // a repeated parameter
        oauthError(form("grant_type=client_credentials&grant_type=client_credentials", basic), 400, "invalid_request");
        // no grant type
        oauthError(form("scope=ops", basic), 400, "invalid_request");
        // a broken percent escape
        oauthError(form("grant_type=client%ZZcredentials", basic), 400, "invalid_request");
        // no client authentication at all
        oauthError(form("grant_type=client_credentials", null), 401, "invalid_client");
        // Basic that is not base64
        oauthError(form("grant_type=client_credentials", "Basic ***"), 401, "invalid_client");
    }

    @Test
    void theJsonFormStaysAsItWasAndOtherMediaTypesAre415() {
        HttpResponse<String> json = server.postJson(
                "/v1/auth/token",
                "{\"grantType\":\"client_credentials\",\"clientId\":\"ops\",\"clientSecret\":\"nope-nope-nope-nope\"}",
                null);
        assertEquals(401, json.statusCode());
        assertEquals(
                "application/problem+json",
                json.headers().firstValue("Content-Type").orElseThrow());
        HttpResponse<String> text = server.send("POST", "/v1/auth/token", "text/plain", "grant_type=x", null);
        assertEquals(415, text.statusCode());
        assertTrue(text.body().contains("application/x-www-form-urlencoded"), text.body());
    }

    @Test
    void failedFormSignInsCountAgainstTheSameLimitAsTheJsonForm() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertError(
                    request(post("ops", "wrong-secret-" + i + "-0123456789"), new ClientCredentialsGrant(), null),
                    401,
                    "invalid_client");
            assertEquals(
                    401,
                    server.postJson(
                                    "/v1/auth/token",
                                    "{\"grantType\":\"client_credentials\",\"clientId\":\"ops\",\"clientSecret\":\"x-"
                                            + i + "-0123456789abcdef\"}",
                                    null)
                            .statusCode());
        }
        HTTPResponse refused = new TokenRequest(
                        tokenEndpoint, basic("ops", TestServer.OPS_SECRET), new ClientCredentialsGrant(), null)
                .toHTTPRequest()
                .send();
        assertEquals(429, refused.getStatusCode());
        assertTrue(Long.parseLong(refused.getHeaderValue("Retry-After")) >= 1);
        ErrorObject error = TokenErrorResponse.parse(refused).getErrorObject();
        assertEquals("too_many_attempts", error.getCode());
        assertTrue(error.getDescription().contains("try again"), error.getDescription());
        HttpResponse<String> json = server.postJson(
                "/v1/auth/token",
                "{\"grantType\":\"client_credentials\",\"clientId\":\"ops\",\"clientSecret\":\"" + TestServer.OPS_SECRET
                        + "\"}",
                null);
        assertEquals(429, json.statusCode(), "the JSON form is refused too");
    }

    private HttpResponse<String> form(String body, String authorization) {
        return server.send("POST", "/v1/auth/token", "application/x-www-form-urlencoded", body, authorization);
    }

    private static void oauthError(HttpResponse<String> res, int status, String error) {
        assertEquals(status, res.statusCode(), res.body());
        assertEquals(
                "application/json", res.headers().firstValue("Content-Type").orElseThrow());
        JsonNode body = ProtocolJson.read(res.body(), JsonNode.class);
        assertEquals(error, body.get("error").asText(), res.body());
        assertFalse(body.get("error_description").asText().isEmpty());
    }

    private static void assertError(TokenResponse res, int status, String error) {
        assertFalse(res.indicatesSuccess(), res.toString());
        TokenErrorResponse e = res.toErrorResponse();
        assertEquals(
                status,
                e.getErrorObject().getHTTPStatusCode(),
                e.getErrorObject().toString());
        assertEquals(error, e.getErrorObject().getCode());
        assertTrue(e.getErrorObject().getDescription() != null);
    }
}
