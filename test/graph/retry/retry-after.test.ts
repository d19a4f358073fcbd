import { describe, expect, it } from "vitest";
import { parseRetryAfter, serverRetryDelay } from "../../../src/graph/retry/retry-after.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

describe("parseRetryAfter", () => {
  it("reads delay-seconds digits as seconds", () => {
    expect(parseRetryAfter("7", NOW)).toBe(7000);
    expect(parseRetryAfter("0", NOW)).toBe(0);
    expect(parseRetryAfter(" 120 ", NOW)).toBe(120_000);
  });

  it("reads an IMF-fixdate as the time from now until then", () => {
    expect(parseRetryAfter("Thu, 15 Jan 2026 12:00:30 GMT", NOW)).toBe(30_000);
  });

  it("never returns a negative wait for a date in the past", () => {
    expect(parseRetryAfter("Thu, 15 Jan 2026 11:59:00 GMT", NOW)).toBe(0);
  });

  it("reads a fraction of a second exactly, rounded up to the millisecond (Microsoft's throttling sample sends 2.128)", () => {
    expect(parseRetryAfter("2.128", NOW)).toBe(2128);
    expect(parseRetryAfter("1.5", NOW)).toBe(1500);
    expect(parseRetryAfter("0.0001", NOW)).toBe(1);
    expect(parseRetryAfter("3.0", NOW)).toBe(3000);
  });

  it("ignores garbage and negative values (backoff applies instead)", () => {
    for (const value of ["soon", "-5", "-1.5", ".5", "1.", "1,5", "", "2026-01-15T12:00:30Z", "15 Jan 2026", "Thu, 31 Feb 2026 12:00:00 GMT"]) {
      expect(parseRetryAfter(value, NOW), value).toBeUndefined();
    }
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });

  it("rejects impossible clock values", () => {
    expect(parseRetryAfter("Thu, 15 Jan 2026 25:00:00 GMT", NOW)).toBeUndefined();
    expect(parseRetryAfter("Thu, 15 Foo 2026 12:00:00 GMT", NOW)).toBeUndefined();
  });
});

describe("serverRetryDelay", () => {
  it("prefers the millisecond headers, then Retry-After", () => {
    expect(serverRetryDelay({ "retry-after-ms": "250", "retry-after": "9" }, NOW)).toBe(250);
    expect(serverRetryDelay({ "x-ms-retry-after-ms": "400", "retry-after": "9" }, NOW)).toBe(400);
    expect(serverRetryDelay({ "retry-after": "9" }, NOW)).toBe(9000);
    expect(serverRetryDelay({}, NOW)).toBeUndefined();
  });

  it("falls through a malformed millisecond header", () => {
    expect(serverRetryDelay({ "retry-after-ms": "abc", "retry-after": "2" }, NOW)).toBe(2000);
  });
});
