import { describe, expect, it } from "vitest";
import { InterruptedError } from "../../src/errors.js";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { abortError, anySignal, sleep, untilAborted } from "../../src/util/abort.js";

async function* items(...values: number[]): AsyncGenerator<number> {
  for (const value of values) yield value;
}

/** A source that gives one item, then waits forever (a pipe whose writer went quiet); `closed` once returned. */
function stalled() {
  const state = { closed: false };
  const source: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => {
      let given = false;
      return {
        next: () => (given ? new Promise<IteratorResult<number>>(() => undefined) : ((given = true), Promise.resolve({ value: 1, done: false }))),
        return: () => {
          state.closed = true;
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
  return { source, state };
}

describe("util/abort", () => {
  it("untilAborted passes every item through when nothing aborts", async () => {
    const seen: number[] = [];
    for await (const value of untilAborted(items(1, 2, 3), new AbortController().signal)) seen.push(value);
    expect(seen).toEqual([1, 2, 3]);
  });

  it("untilAborted ends a wait for an item that never comes, with the abort's reason, and lets the source go", async () => {
    const controller = new AbortController();
    const { source, state } = stalled();
    const seen: number[] = [];
    const reason = new Error("sign-in failed");
    setTimeout(() => controller.abort(reason), 20);
    await expect(
      (async () => {
        for await (const value of untilAborted(source, controller.signal)) seen.push(value);
      })(),
    ).rejects.toBe(reason);
    expect(seen).toEqual([1]);
    expect(state.closed).toBe(true);
  });

  it("untilAborted keeps no item it passed on (an import reading a million rows holds none of them)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const passed: Array<WeakRef<object>> = [];
    async function* rows(): AsyncGenerator<{ hash: string }> {
      for (let i = 0; i < 50; i++) {
        const row = { hash: `${"A".repeat(4_000)}${i}` };
        passed.push(new WeakRef(row));
        yield row;
      }
    }
    const iterator = untilAborted(rows(), new AbortController().signal);
    for (let i = 0; i < 50; i++) await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 0)); // a WeakRef holds its target until the current job ends
    gc();
    // The generator may still hold the item it yielded last; none before it.
    expect(passed.filter((ref) => ref.deref() !== undefined).length).toBeLessThanOrEqual(1);
    await iterator.return(undefined);
  });

  it("untilAborted yields nothing once the signal has aborted", async () => {
    const controller = new AbortController();
    controller.abort("SIGTERM");
    const iterator = untilAborted(items(1), controller.signal);
    await expect(iterator.next()).rejects.toBeInstanceOf(InterruptedError);
  });

  it("abortError speaks for signals; anySignal aborts with any of its signals", async () => {
    const a = new AbortController();
    const b = new AbortController();
    const both = anySignal(a.signal, undefined, b.signal);
    b.abort("SIGINT");
    expect(both.aborted).toBe(true);
    expect(abortError(both)).toEqual(new InterruptedError("SIGINT"));
    expect(anySignal(a.signal)).toBe(a.signal);
    await expect(sleep(10_000, both)).rejects.toBeInstanceOf(InterruptedError);
  });
});
