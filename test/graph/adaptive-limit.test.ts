import { describe, expect, it } from "vitest";
import { AdaptiveLimiter } from "../../src/graph/adaptive-limit.js";
import { UsageError } from "../../src/errors.js";

describe("AdaptiveLimiter", () => {
  it("starts at max and admits that many at once", async () => {
    const limiter = new AdaptiveLimiter({ max: 3 });
    const releases = await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    let fourth = false;
    const waiting = limiter.acquire().then((release) => {
      fourth = true;
      return release;
    });
    await Promise.resolve();
    expect(limiter.active).toBe(3);
    expect(limiter.pending).toBe(1);
    expect(fourth).toBe(false);
    releases[0]!();
    (await waiting)();
    expect(fourth).toBe(true);
  });

  it("halves on throttling, never below min", () => {
    const limiter = new AdaptiveLimiter({ max: 8 });
    limiter.onThrottle();
    expect(limiter.limit).toBe(4);
    limiter.onThrottle();
    limiter.onThrottle();
    limiter.onThrottle();
    expect(limiter.limit).toBe(1);
    expect(new AdaptiveLimiter({ max: 8, min: 3 }).limit).toBe(8);
    const floored = new AdaptiveLimiter({ max: 8, min: 3 });
    floored.onThrottle();
    floored.onThrottle();
    expect(floored.limit).toBe(3);
  });

  it("grows back by one after `limit` healthy answers in a row, up to max", () => {
    const limiter = new AdaptiveLimiter({ max: 4 });
    limiter.onThrottle();
    limiter.onThrottle();
    expect(limiter.limit).toBe(1);
    limiter.onSuccess();
    expect(limiter.limit).toBe(2);
    limiter.onSuccess();
    expect(limiter.limit).toBe(2);
    limiter.onSuccess();
    expect(limiter.limit).toBe(3);
    for (let i = 0; i < 20; i++) limiter.onSuccess();
    expect(limiter.limit).toBe(4);
  });

  it("a throttle in the middle of a growth run restarts the count", () => {
    const limiter = new AdaptiveLimiter({ max: 10 });
    limiter.onThrottle(); // 5
    limiter.onSuccess();
    limiter.onSuccess();
    limiter.onSuccess();
    limiter.onSuccess();
    limiter.onThrottle(); // 2
    expect(limiter.limit).toBe(2);
    limiter.onSuccess();
    expect(limiter.limit).toBe(2);
    limiter.onSuccess();
    expect(limiter.limit).toBe(3);
  });

  it("ignores 429s from requests already in flight when it shrank", async () => {
    const limiter = new AdaptiveLimiter({ max: 8 });
    const releases = await Promise.all(Array.from({ length: 8 }, () => limiter.acquire()));
    // Eight uploads in flight all come back 429: one reaction, not eight.
    for (let i = 0; i < 8; i++) limiter.onThrottle();
    expect(limiter.limit).toBe(4);
    limiter.onThrottle();
    expect(limiter.limit).toBe(2);
    for (const release of releases) release();
  });

  it("does not revoke slots already taken when it shrinks", async () => {
    const limiter = new AdaptiveLimiter({ max: 4 });
    const releases = await Promise.all(Array.from({ length: 4 }, () => limiter.acquire()));
    limiter.onThrottle();
    expect(limiter.active).toBe(4);
    let admitted = 0;
    const next = limiter.acquire().then((release) => {
      admitted += 1;
      return release;
    });
    releases[0]!();
    releases[1]!();
    await Promise.resolve();
    expect(admitted).toBe(0); // 2 active, limit 2
    releases[2]!();
    (await next)();
    expect(admitted).toBe(1);
    releases[3]!();
    expect(limiter.active).toBe(0);
  });

  it("wakes waiters when the limit grows", async () => {
    const limiter = new AdaptiveLimiter({ max: 2 });
    limiter.onThrottle();
    const first = await limiter.acquire();
    let woke = false;
    const second = limiter.acquire().then((release) => {
      woke = true;
      return release;
    });
    limiter.onSuccess(); // limit 1 -> 2
    (await second)();
    expect(woke).toBe(true);
    first();
  });

  it("release is idempotent", async () => {
    const limiter = new AdaptiveLimiter({ max: 1 });
    const release = await limiter.acquire();
    release();
    release();
    expect(limiter.active).toBe(0);
  });

  it("run() releases on failure, and acquire honours an abort signal", async () => {
    const limiter = new AdaptiveLimiter({ max: 1 });
    await expect(limiter.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(limiter.active).toBe(0);
    const held = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    expect(limiter.pending).toBe(0);
    held();
    expect(limiter.active).toBe(0);
  });

  it("an aborted waiter gives up its place in the queue: the next one gets the freed slot", async () => {
    const limiter = new AdaptiveLimiter({ max: 1 });
    const held = await limiter.acquire();
    const controller = new AbortController();
    const gone = limiter.acquire(controller.signal);
    const next = limiter.acquire();
    expect(limiter.pending).toBe(2);
    controller.abort(new Error("stop"));
    await expect(gone).rejects.toThrow("stop");
    expect(limiter.pending).toBe(1);
    held();
    const release = await next;
    expect(limiter.active).toBe(1);
    expect(limiter.pending).toBe(0);
    release();
    expect(limiter.active).toBe(0);
  });

  it("admits waiters in order and never more at once than the limit at the time, while it shrinks and grows", async () => {
    const limiter = new AdaptiveLimiter({ max: 6 });
    const started: number[] = [];
    let running = 0;
    let overLimit = 0;
    const limits: number[] = [];
    const tasks = Array.from({ length: 60 }, (_, i) =>
      limiter.run(async () => {
        started.push(i);
        running += 1;
        if (running > limiter.limit) overLimit += 1;
        limits.push(limiter.limit);
        // Every seventh answer is a 429, the rest are healthy: the limit moves both ways while tasks queue.
        await Promise.resolve();
        if (i % 7 === 3) limiter.onThrottle();
        else limiter.onSuccess();
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
      }),
    );
    await Promise.all(tasks);
    expect(started).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(overLimit).toBe(0);
    // It did shrink and grow back meanwhile.
    const lowest = limits.indexOf(Math.min(...limits));
    expect(limits[lowest]).toBeLessThan(6);
    expect(Math.max(...limits.slice(lowest))).toBeGreaterThan(limits[lowest]!);
    expect(limiter.active).toBe(0);
    expect(limiter.pending).toBe(0);
    expect(limiter.limit).toBeGreaterThanOrEqual(limiter.min);
    expect(limiter.limit).toBeLessThanOrEqual(limiter.max);
  });

  it("validates options", () => {
    expect(() => new AdaptiveLimiter({ max: 0 })).toThrow(UsageError);
    expect(() => new AdaptiveLimiter({ max: 2, min: 3 })).toThrow(UsageError);
    expect(() => new AdaptiveLimiter({ max: 2, decreaseFactor: 1 })).toThrow(UsageError);
  });
});
