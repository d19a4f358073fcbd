import type { AccessToken, TokenCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { AuthenticationError } from "../../src/errors.js";
import { TokenProvider } from "../../src/graph/token-provider.js";

const HOUR = 3_600_000;

/** A real TokenCredential implementation that hands out numbered tokens, recording each call. */
class CountingCredential implements TokenCredential {
  calls: Array<string | string[]> = [];
  constructor(
    private readonly now: () => number,
    private readonly lifetimeMs = HOUR,
    private readonly prefix = "token",
  ) {}
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.calls.push(scopes);
    await Promise.resolve();
    return { token: `${this.prefix}-${this.calls.length}`, expiresOnTimestamp: this.now() + this.lifetimeMs };
  }
}

const signal = new AbortController().signal;

describe("TokenProvider", () => {
  it("caches a token until shortly before expiry, then renews it", async () => {
    let now = 0;
    const credential = new CountingCredential(() => now);
    const provider = new TokenProvider({ credential, scope: "https://graph.microsoft.com/.default", now: () => now });
    expect(await provider.getToken(signal)).toBe("token-1");
    now = HOUR - 6 * 60_000;
    expect(await provider.getToken(signal)).toBe("token-1");
    now = HOUR - 4 * 60_000; // inside the 5-minute margin
    expect(await provider.getToken(signal)).toBe("token-2");
    expect(credential.calls).toEqual(["https://graph.microsoft.com/.default", "https://graph.microsoft.com/.default"]);
  });

  it("honours the service's refresh-after time", async () => {
    let now = 0;
    const credential: TokenCredential = {
      getToken: async () => ({ token: `t${now}`, expiresOnTimestamp: now + HOUR, refreshAfterTimestamp: now + 60_000 }),
    };
    const provider = new TokenProvider({ credential, scope: "s", now: () => now });
    expect(await provider.getToken(signal)).toBe("t0");
    now = 61_000;
    expect(await provider.getToken(signal)).toBe("t61000");
  });

  it("acquires once for many concurrent callers", async () => {
    const credential = new CountingCredential(() => 0);
    const provider = new TokenProvider({ credential, scope: "s", now: () => 0 });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => provider.getToken(signal)));
    expect(new Set(tokens)).toEqual(new Set(["token-1"]));
    expect(credential.calls).toHaveLength(1);
  });

  it("a forced refresh rebuilds the credential from the factory, once for concurrent 401s", async () => {
    const built: CountingCredential[] = [];
    const provider = new TokenProvider({
      credential: () => {
        const credential = new CountingCredential(() => 0, HOUR, `cred${built.length + 1}`);
        built.push(credential);
        return credential;
      },
      scope: "s",
      now: () => 0,
    });
    const stale = await provider.getToken(signal);
    expect(stale).toBe("cred1-1");
    const refreshed = await Promise.all([provider.refresh(stale, signal), provider.refresh(stale, signal)]);
    expect(refreshed).toEqual(["cred2-1", "cred2-1"]);
    expect(built).toHaveLength(2);
    // A late 401 carrying the old token gets the replacement without another acquisition.
    expect(await provider.refresh(stale, signal)).toBe("cred2-1");
    expect(provider.acquisitions).toBe(2);
  });

  it("turns credential failures into one-line AuthenticationErrors without the secret", async () => {
    const credential: TokenCredential = {
      getToken: async () => {
        throw new Error("AADSTS7000215: Invalid client secret provided: Sup3rSecretValue\nTrace ID: x");
      },
    };
    const provider = new TokenProvider({ credential, scope: "s", secrets: ["Sup3rSecretValue"] });
    const error = await provider.getToken(signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toContain("AADSTS7000215");
    expect((error as Error).message).not.toContain("Sup3rSecretValue");
  });

  it("a null token is an authentication failure", async () => {
    const provider = new TokenProvider({ credential: { getToken: async () => null }, scope: "s" });
    await expect(provider.getToken(signal)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("an aborted run rejects with the abort reason, not an auth error", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stopped"));
    const provider = new TokenProvider({ credential: new CountingCredential(() => 0), scope: "s" });
    await expect(provider.getToken(controller.signal)).rejects.toThrow("stopped");
  });
});
