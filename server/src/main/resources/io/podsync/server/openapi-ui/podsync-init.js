// Renders the served OpenAPI document (/openapi). "Authorize" takes an access token from POST /v1/auth/token.
window.ui = SwaggerUIBundle({
  url: '/openapi?format=json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: false,
});
