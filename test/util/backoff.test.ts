import { describe, expect, it } from "vitest";
import { backoffDelay, nextBackoff, waitWithinDeadline } from "../../src/util/backoff.js";

describe("util/backoff", () => {
  const policy = { minMs: 1_000, maxMs: 8_000, factor: 2 };

  it("grows from the minimum by the factor up to the maximum", () => {
    const waits: number[] = [];
    let wait: number | undefined;
    for (let i = 0; i < 6; i++) waits.push((wait = nextBackoff(wait, policy)));
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(nextBackoff(10, policy)).toBe(1_000);
  });

  it("jitters retries within a doubling ceiling", () => {
    const options = { baseDelayMs: 500, maxDelayMs: 4_000 };
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, options, () => 0.999_999))).toEqual([499, 999, 1_999, 3_999, 3_999]);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
  });

  it("puts the last check on the deadline", () => {
    expect(waitWithinDeadline(5_000, 1_000, 10_000)).toBe(5_000);
    expect(waitWithinDeadline(5_000, 8_000, 10_000)).toBe(2_000);
    expect(waitWithinDeadline(5_000, 10_000, 10_000)).toBeUndefined();
  });
});
