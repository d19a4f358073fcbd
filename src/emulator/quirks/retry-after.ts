import type { Random } from "../../util/random.js";
import type { Scenario } from "../scenario.js";

type RetryAfterMode = Scenario["service"]["retryAfter"];

/**
 * The Retry-After value of a throttling 429 in the form `service.retryAfter` asks for, or undefined for no header.
 * "fractional" states the real wait in seconds with three decimals (as Microsoft's throttling sample shows
 * `2.128`); "mixed" picks fractional or none per answer from the seeded stream.
 */
export function retryAfterValue(realWaitMs: number, mode: RetryAfterMode, random: Random): string | undefined {
  const form = mode === "mixed" ? (random.next() < 0.5 ? "fractional" : "none") : mode;
  if (form === "none") return undefined;
  if (form === "fractional") return (Math.max(1, Math.ceil(realWaitMs)) / 1000).toFixed(3);
  return String(Math.max(1, Math.ceil(realWaitMs / 1000)));
}
