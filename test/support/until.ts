/** Polls `condition` until it holds (a child process reached a state the test waits for), or fails naming `what`. */
import { setTimeout as sleep } from "node:timers/promises";

export async function until(condition: () => boolean, what: string, timeoutMs = 15_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
