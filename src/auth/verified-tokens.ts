// Access tokens whose signature, algorithm, issuer and audience this process has verified, so the
// next request with the same token skips the HMAC and JSON parsing (a tenth of a small request's
// CPU). The signing key is fixed for the process's life, so a verified token stays verified; only
// its expiry is checked again, exactly as jsonwebtoken does (expired once exp <= now in seconds).
// Whether the token is still usable (logout, revocation) is CredentialStateService's check.
export class VerifiedTokens<C extends { exp: number }> {
  private readonly entries = new Map<string, C>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  get(token: string): C | undefined {
    const claims = this.entries.get(token);
    if (claims && claims.exp <= this.nowSeconds()) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  add(token: string, claims: C): void {
    if (typeof claims.exp !== 'number') return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, claims);
  }
}
