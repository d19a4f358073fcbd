import type { AccessToken, TokenCredential } from "@azure/identity";
import { abortError } from "../util/abort.js";
import { toAuthenticationError } from "./auth-error.js";

export interface TokenProviderOptions {
  /** A credential, or a factory: a factory lets a forced refresh start from an empty MSAL cache. */
  readonly credential: TokenCredential | (() => TokenCredential);
  readonly scope: string;
  readonly now?: () => number;
  /** Renew this long before expiry, so a token never dies mid-request. Default 5 minutes. */
  readonly expiryMarginMs?: number;
  /** Secret values to scrub from authentication error messages. */
  readonly secrets?: ReadonlyArray<string | undefined>;
}

/**
 * Access tokens for one scope: cached until shortly before expiry (or the service's refresh-after time), one
 * acquisition at a time however many requests ask, and a forced refresh after a 401.
 */
export class TokenProvider {
  #credential: TokenCredential;
  readonly #factory: (() => TokenCredential) | undefined;
  readonly #scope: string;
  readonly #now: () => number;
  readonly #margin: number;
  readonly #secrets: ReadonlyArray<string | undefined>;
  #cached: AccessToken | undefined;
  #inflight: Promise<AccessToken> | undefined;
  /** Tokens acquired from the credential (not cache hits), for the run summary. */
  acquisitions = 0;

  constructor(options: TokenProviderOptions) {
    this.#factory = typeof options.credential === "function" ? options.credential : undefined;
    this.#credential = this.#factory ? this.#factory() : (options.credential as TokenCredential);
    this.#scope = options.scope;
    this.#now = options.now ?? Date.now;
    this.#margin = options.expiryMarginMs ?? 5 * 60_000;
    this.#secrets = options.secrets ?? [];
  }

  /** A token valid for at least the margin; acquires one if needed. */
  async getToken(signal: AbortSignal): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#fresh(cached)) return cached.token;
    return (await this.#acquire(signal)).token;
  }

  /**
   * Drops `staleToken` (Graph rejected it) and acquires a new one. Concurrent 401s with the same stale token share
   * one refresh; a caller whose token was already replaced gets the replacement.
   */
  async refresh(staleToken: string, signal: AbortSignal): Promise<string> {
    if (this.#cached && this.#cached.token !== staleToken && this.#fresh(this.#cached)) return this.#cached.token;
    if (this.#inflight) return (await this.#inflight).token;
    this.#cached = undefined;
    // The credential's own (MSAL) cache would hand back the rejected token until it expires: start a new one.
    if (this.#factory) this.#credential = this.#factory();
    return (await this.#acquire(signal)).token;
  }

  #fresh(token: AccessToken): boolean {
    const now = this.#now();
    const refreshAt = Math.min(token.expiresOnTimestamp - this.#margin, token.refreshAfterTimestamp ?? Infinity);
    return now < refreshAt;
  }

  #acquire(signal: AbortSignal): Promise<AccessToken> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    this.#inflight ??= this.#fetch(signal).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #fetch(signal: AbortSignal): Promise<AccessToken> {
    let token: AccessToken | null;
    try {
      token = await this.#credential.getToken(this.#scope, { abortSignal: signal });
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      throw toAuthenticationError(error, this.#secrets);
    }
    if (!token) throw toAuthenticationError(new Error("the credential returned no token"), this.#secrets);
    this.acquisitions += 1;
    this.#cached = token;
    return token;
  }
}
