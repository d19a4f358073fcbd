/** The cleanup's pure parts: the queue of ids, the write pacer, the next-step decision, and what a DELETE's answer means. */
import { describe, expect, it } from "vitest";
import { CleanupQueue } from "../../src/after/cleanup-queue.js";
import { nextStep, type ScheduleState } from "../../src/after/cleanup-schedule.js";
import { deleteVerdict } from "../../src/after/delete-verdict.js";
import { DEFAULT_WRITE_LIMIT, deleteDurationMs, MAX_DELETE_BATCH, WritePacer, checkWriteLimit } from "../../src/after/write-pacer.js";
import { GraphNetworkError } from "../../src/graph/errors/graph-network-error.js";
import { GraphRequestError } from "../../src/graph/errors/graph-request-error.js";
import type { BatchItemResult } from "../../src/graph/batch.js";
import { UsageError } from "../../src/errors.js";

describe("CleanupQueue", () => {
  it("takes each id once, in order, and never again once added", () => {
    const q = new CleanupQueue();
    expect(["a", "b", "c", "a", ""].map((id) => q.add(id))).toEqual([true, true, true, false, false]);
    expect(q.take(2)).toEqual(["a", "b"]);
    expect(q.add("b")).toBe(false);
    expect(q).toMatchObject({ waiting: 1, inFlight: 2, remaining: 3, known: 3 });
  });

  it("puts throttled ids back in front, counts 404s as deleted, keeps refused ones as remaining", () => {
    const q = new CleanupQueue();
    for (const id of ["a", "b", "c", "d", "e"]) q.add(id);
    const first = q.take(4);
    q.settle({ deleted: 1, gone: 1, again: ["c"], refused: 1 });
    expect(first).toEqual(["a", "b", "c", "d"]);
    expect(q).toMatchObject({ deleted: 2, gone: 1, refused: 1, waiting: 2, inFlight: 0, remaining: 3 });
    expect(q.take(5)).toEqual(["c", "e"]);
    q.settle({ deleted: 2, gone: 0, again: [], refused: 0 });
    expect(q).toMatchObject({ deleted: 4, remaining: 1 });
  });

  it("counts an id an earlier process deleted as deleted, without sending it", () => {
    const q = new CleanupQueue();
    q.add("old", true);
    q.add("new");
    expect(q.take(20)).toEqual(["new"]);
    expect(q).toMatchObject({ deleted: 1, known: 2 });
  });

  it("refuses to settle more than was taken (a bookkeeping bug)", () => {
    const q = new CleanupQueue();
    q.add("a");
    q.take(1);
    expect(() => q.settle({ deleted: 2, gone: 0, again: [], refused: 0 })).toThrow(RangeError);
  });

  it("stays in order across its compaction (many ids)", () => {
    const q = new CleanupQueue();
    const ids = Array.from({ length: 5_000 }, (_, i) => `id-${i}`);
    for (const id of ids) q.add(id);
    const seen: string[] = [];
    while (q.waiting > 0) {
      const batch = q.take(20);
      seen.push(...batch);
      q.settle({ deleted: batch.length, gone: 0, again: [], refused: 0 });
    }
    expect(seen).toEqual(ids);
    expect(q.remaining).toBe(0);
  });
});

describe("WritePacer", () => {
  const limit = { writes: 100, windowMs: 20_000 };

  it("lets a full bucket go at once, keeping the reserve free, then paces at the refill rate", () => {
    const p = new WritePacer(limit, 0);
    expect(p.waitMs(20, 20, 0)).toBe(0);
    p.spend(80, 0);
    // 20 left = the reserve: the next 20 deletes wait for 20 writes to refill (4 s at 5 per second).
    expect(p.waitMs(20, 20, 0)).toBe(4_000);
    expect(p.waitMs(20, 20, 4_000)).toBe(0);
    // Once the report is complete, the reserve is 0.
    expect(p.waitMs(20, 0, 0)).toBe(0);
  });

  it("counts submissions: a bucket they overspent makes deletes wait longer", () => {
    const p = new WritePacer(limit, 0);
    p.spend(110, 0);
    expect(p.tokens(0)).toBe(-10);
    expect(p.waitMs(20, 0, 0)).toBe(6_000);
  });

  it("never asks for more than the bucket can hold (a small limit still makes progress)", () => {
    const p = new WritePacer({ writes: 10, windowMs: 1_000 }, 0);
    expect(p.batchSize(50, 2, 0)).toBe(8);
    expect(p.batchSize(3, 2, 0)).toBe(3);
    p.spend(10, 0);
    expect(p.waitMs(8, 2, 0)).toBe(1_000);
    const tiny = new WritePacer({ writes: 1, windowMs: 1_000 }, 0);
    expect(tiny.batchSize(5, 1, 0)).toBe(1);
    expect(tiny.waitMs(1, 1, 0)).toBe(0);
  });

  it("sends what the bucket affords now (deletes trickle between submissions), yet at least a twentieth of the limit", () => {
    const p = new WritePacer(limit, 0);
    expect(p.batchSize(500, 20, 0)).toBe(20);
    p.spend(88, 0);
    // 12 tokens, 20 reserved: not even the least batch fits yet; it is 5 (100 / 20), due when 25 tokens are there.
    expect(p.batchSize(500, 20, 0)).toBe(5);
    expect(p.waitMs(5, 20, 0)).toBe(2_600);
    // 3 s later: 27 tokens, 7 above the reserve.
    expect(p.batchSize(500, 20, 3_000)).toBe(7);
    expect(p.batchSize(3, 20, 3_000)).toBe(3);
  });

  it("429: honours Retry-After, halves the rate, shrinks the batch to what went through; clean batches grow both back", () => {
    const p = new WritePacer(limit, 0);
    p.onThrottled(3_000, 6, 0);
    expect(p.waitMs(1, 0, 0)).toBe(3_000);
    expect(p.rateShare).toBe(0.5);
    expect(p.batchCap).toBe(6);
    // Right after it the bucket is empty: the least batch (5), due after Retry-After (at half rate, 2.5 writes a
    // second, 6 take 2.4 s: less than Retry-After); later never more than the 6 that went through.
    expect(p.batchSize(100, 0, 0)).toBe(5);
    expect(p.waitMs(6, 0, 3_000)).toBe(0);
    expect(p.batchSize(100, 0, 10_000)).toBe(6);
    p.onClean();
    expect(p.rateShare).toBeCloseTo(0.6);
    expect(p.batchCap).toBe(8);
    for (let i = 0; i < 20; i++) p.onClean();
    expect(p.rateShare).toBe(1);
    expect(p.batchCap).toBe(MAX_DELETE_BATCH);
  });

  it("429 without Retry-After: waits one batch's refill; the rate never drops below a twentieth", () => {
    const p = new WritePacer(limit, 0);
    for (let i = 0; i < 10; i++) p.onThrottled(undefined, 0, 0);
    expect(p.rateShare).toBeCloseTo(1 / 20);
    expect(p.batchCap).toBe(1);
    expect(p.waitMs(1, 0, 0)).toBeGreaterThan(0);
  });

  it("states the floor of a cleanup's duration: 100,000 deletes at 100 per 20 s take 5 h 33 min", () => {
    expect(deleteDurationMs(100_000, DEFAULT_WRITE_LIMIT)).toBe(20_000_000);
    expect(deleteDurationMs(3_000)).toBe(600_000);
  });

  it("rejects a limit that cannot be paced", () => {
    expect(() => checkWriteLimit({ writes: 0, windowMs: 1 })).toThrow(UsageError);
    expect(() => checkWriteLimit({ writes: 5, windowMs: 0 })).toThrow(UsageError);
  });
});

describe("nextStep", () => {
  const base: ScheduleState = { waiting: 10, held: false, closing: false, stopped: false, now: 1_000, deadline: undefined, size: 10, pacerWaitMs: 0 };

  it("sends when ids wait, nothing holds them and the pacer allows", () => {
    expect(nextStep(base)).toEqual({ kind: "send", size: 10 });
  });

  it("waits for an event while a submission waits for a slot, whatever the pacer says", () => {
    expect(nextStep({ ...base, held: true })).toEqual({ kind: "idle" });
    expect(nextStep({ ...base, held: true, pacerWaitMs: 500 })).toEqual({ kind: "idle" });
  });

  it("idles with nothing queued during the run, and stops when closing", () => {
    expect(nextStep({ ...base, waiting: 0 })).toEqual({ kind: "idle" });
    expect(nextStep({ ...base, waiting: 0, closing: true })).toEqual({ kind: "stop", reason: "done" });
  });

  it("sleeps for the pacer, never past the time limit once closing", () => {
    expect(nextStep({ ...base, pacerWaitMs: 4_000 })).toEqual({ kind: "sleep", ms: 4_000 });
    expect(nextStep({ ...base, closing: true, deadline: 2_000, pacerWaitMs: 4_000 })).toEqual({ kind: "sleep", ms: 1_000 });
    expect(nextStep({ ...base, closing: true, deadline: 1_000 })).toEqual({ kind: "stop", reason: "timeLimit" });
  });

  it("stops at once when stopped", () => {
    expect(nextStep({ ...base, stopped: true })).toEqual({ kind: "stop", reason: "stopped" });
  });
});

describe("deleteVerdict", () => {
  const info = { method: "DELETE", url: "https://graph.example/v1.0/x", clientRequestId: "c", headers: {} };
  const failed = (status: number, headers: Record<string, string> = {}): BatchItemResult => ({
    ok: false,
    status,
    error: new GraphRequestError(info, { status, headers, body: { error: { code: "X", message: "x" } } }),
  });

  it("reads each answer", () => {
    expect(deleteVerdict({ ok: true, response: { status: 204, headers: {}, body: undefined, requestId: undefined } }, 0)).toEqual({ kind: "deleted" });
    expect(deleteVerdict(failed(404), 0)).toEqual({ kind: "gone" });
    expect(deleteVerdict(failed(429, { "retry-after": "7" }), 0)).toEqual({ kind: "throttled", retryAfterMs: 7_000 });
    expect(deleteVerdict(failed(429), 0)).toEqual({ kind: "throttled", retryAfterMs: undefined });
    expect(deleteVerdict(failed(503, { "retry-after": "2" }), 0)).toEqual({ kind: "throttled", retryAfterMs: 2_000 });
    expect(deleteVerdict(failed(503), 0)).toEqual({ kind: "transient" });
    expect(deleteVerdict(failed(403), 0)).toEqual({ kind: "denied", status: 403 });
    expect(deleteVerdict(failed(400), 0)).toEqual({ kind: "refused", status: 400 });
    expect(deleteVerdict({ ok: false, status: undefined, error: new GraphNetworkError(info, "ECONNRESET", 5) }, 0)).toEqual({ kind: "transient" });
  });
});
