/**
 * Authentication and authorization: ES256 access tokens issued by this server (JWKS published, keys rotated without
 * logging anyone out), device enrollment, API clients for the ERP and ops sides, and the scope checks.
 */
package io.podsync.server.auth;
