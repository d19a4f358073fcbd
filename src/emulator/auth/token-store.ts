import { randomBytes } from "node:crypto";

export interface Principal {
  readonly tenantId: string;
  readonly clientId: string;
  /** A user's sign-in (delegated): the consented scopes, space-separated, as in the `scp` claim. */
  readonly scp?: string;
  /** A user's sign-in: who, as in the `upn` claim. */
  readonly upn?: string;
}

interface IssuedToken extends Principal {
  readonly expiresAt: number;
}

export type TokenCheck =
  | { readonly valid: true; readonly principal: Principal }
  | { readonly valid: false; readonly reason: "missing" | "malformed" | "unknown" | "expired" };

/** Purge expired tokens once this many are held, so memory stays bounded on long runs. */
const SWEEP_AT = 10_000;

/** Opaque bearer tokens: random strings the emulator remembers with their principal and emulated expiry. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  issue(principal: Principal, expiresAt: number, now: number): string {
    if (this.tokens.size >= SWEEP_AT) this.sweep(now);
    const token = randomBytes(48).toString("base64url");
    this.tokens.set(token, { ...principal, expiresAt });
    return token;
  }

  /** Checks an Authorization header value. */
  check(authorization: string | undefined, now: number): TokenCheck {
    if (authorization === undefined || authorization.trim() === "") return { valid: false, reason: "missing" };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return { valid: false, reason: "malformed" };
    const issued = this.tokens.get(match[1] ?? "");
    if (!issued) return { valid: false, reason: "unknown" };
    if (issued.expiresAt <= now) return { valid: false, reason: "expired" };
    const { expiresAt: _expiresAt, ...principal } = issued;
    return { valid: true, principal };
  }

  private sweep(now: number): void {
    for (const [token, issued] of this.tokens) if (issued.expiresAt <= now) this.tokens.delete(token);
  }
}
