import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EmulatorClock } from "../../src/emulator/clock.js";
import { MinHeap } from "../../src/emulator/heap.js";
import { OrderedIndex } from "../../src/emulator/ordered-index.js";
import { TokenBucket } from "../../src/emulator/throttle.js";

describe("emulator internals", () => {
  it("MinHeap pops in order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), (values) => {
        const heap = new MinHeap<number>((a, b) => a < b);
        for (const value of values) heap.push(value);
        const out: number[] = [];
        for (let value = heap.pop(); value !== undefined; value = heap.pop()) out.push(value);
        expect(out).toEqual([...values].sort((a, b) => a - b));
      }),
    );
  });

  it("OrderedIndex pages like a filter over the live items, across deletes and compaction", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 0, maxLength: 3000 }), fc.integer({ min: 1, max: 700 }), (deletes, pageSize) => {
        const index = new OrderedIndex<{ seq: number; deleted: boolean }>();
        const items = deletes.map((_, position) => ({ seq: position + 1, deleted: false }));
        for (const item of items) index.add(item);
        items.forEach((item, position) => {
          if (deletes[position]) {
            item.deleted = true;
            index.noteDeleted();
          }
        });
        const seen: number[] = [];
        let after: number | undefined = 0;
        while (after !== undefined) {
          const page = index.page(after, pageSize);
          expect(page.items.length).toBeLessThanOrEqual(pageSize);
          seen.push(...page.items.map((item) => item.seq));
          after = page.nextAfter;
        }
        expect(seen).toEqual(items.filter((item) => !item.deleted).map((item) => item.seq));
        expect(index.size).toBe(seen.length);
      }),
      { numRuns: 50 },
    );
  });

  it("TokenBucket refills continuously and says how long to wait", () => {
    const bucket = new TokenBucket(100, 20_000, 0);
    for (let index = 0; index < 100; index += 1) {
      expect(bucket.waitFor(0)).toBe(0);
      bucket.take();
    }
    expect(bucket.waitFor(0)).toBeCloseTo(200);
    expect(bucket.waitFor(100)).toBeCloseTo(100);
    expect(bucket.waitFor(200)).toBe(0);
  });

  it("EmulatorClock runs tasks in time order on advance, and at speed in real time", async () => {
    const clock = new EmulatorClock({ speed: 1000, start: 0 });
    const ran: string[] = [];
    clock.scheduleAt(clock.now() + 5_000_000, () => ran.push("far"));
    clock.scheduleAt(clock.now() + 2000, () => ran.push("b"));
    clock.scheduleAt(clock.now() + 1000, () => ran.push("a"));
    const cancelled = clock.scheduleAt(clock.now() + 1500, () => ran.push("cancelled"));
    cancelled.cancel();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ran).toEqual(["a", "b"]);
    clock.advance(5_000_000);
    expect(ran).toEqual(["a", "b", "far"]);
    clock.close();
  });

  it("EmulatorClock.advance runs each task at its own due time: a task it schedules counts from then", () => {
    const clock = new EmulatorClock({ speed: 1e-9, start: 0 });
    const seen: Array<[string, number]> = [];
    clock.scheduleAt(1_000, () => {
      seen.push(["first", Math.round(clock.now())]);
      clock.scheduleAt(clock.now() + 1_000, () => seen.push(["second", Math.round(clock.now())]));
    });
    clock.advance(10_000);
    expect(seen).toEqual([
      ["first", 1_000],
      ["second", 2_000],
    ]);
    expect(Math.round(clock.now())).toBe(10_000);
    clock.close();
  });
});
