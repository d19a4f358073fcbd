/** Stand-ins for the Graph client's collaborators: a counting credential and a sleep that only records. */
import type { AccessToken, TokenCredential } from "@azure/identity";
import type { Sleep } from "../../src/util/abort.js";

/** A TokenCredential that hands out `${prefix}-1`, `${prefix}-2`, ... valid for an hour. */
export class CountingCredential implements TokenCredential {
  issued = 0;
  constructor(private readonly prefix = "token") {}
  async getToken(): Promise<AccessToken> {
    this.issued += 1;
    return { token: `${this.prefix}-${this.issued}`, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

/** A sleep that records the requested waits and returns at once (still honouring an aborted signal). */
export function recordingSleep(): { sleep: Sleep; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms, signal) => {
      signal.throwIfAborted();
      delays.push(ms);
    },
  };
}

export function bearer(headers: { authorization?: string }): string | undefined {
  return headers.authorization?.replace(/^Bearer /, "");
}
