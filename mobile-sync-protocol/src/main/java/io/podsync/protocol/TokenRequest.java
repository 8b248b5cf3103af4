package io.podsync.protocol;

/**
 * Trades a credential for an access token.
 *
 * <ul>
 *   <li>{@code device_credentials}: clientId is the device id, clientSecret the device secret (scope driver)
 *   <li>{@code client_credentials}: an ERP or ops client (scopes erp, ops)
 * </ul>
 */
public record TokenRequest(String grantType, String clientId, String clientSecret) {
    public static final String DEVICE_CREDENTIALS = "device_credentials";
    public static final String CLIENT_CREDENTIALS = "client_credentials";
}
