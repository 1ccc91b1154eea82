/** The IdP (metadata, JWKS or introspection) cannot be reached: the request gets 503, never a pass. */
export class OAuthUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OAuthUnavailableError";
  }
}
