import { afterEach, describe, expect, it, vi } from "vitest";
import { syncWaitLine, syncWaitView } from "../../../src/cli/output/sync-wait.js";

afterEach(() => vi.useRealTimers());

function stderr(isTTY: boolean): { write(text: string): void; isTTY: boolean; text: string[] } {
  const text: string[] = [];
  return { isTTY, text, write: (t: string) => void text.push(t) };
}

describe("the wait for the sync's window, as it happens", () => {
  it("a countdown redrawn each second on a terminal, cleared at the end", () => {
    vi.useFakeTimers();
    let now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const out = stderr(true);
    const view = syncWaitView(out, () => undefined, { now: () => now });
    view.start(now + 125_000);
    now += 1_000;
    vi.advanceTimersByTime(1_000);
    view.end();
    now += 5_000;
    vi.advanceTimersByTime(5_000);
    expect(out.text).toEqual([
      "\r\x1b[2Ksync: the 10-minute window opens in 2m5s (at 2026-01-01T12:02:05.000Z); then the sync is triggered once more (Ctrl+C: don't wait)",
      "\r\x1b[2Ksync: the 10-minute window opens in 2m4s (at 2026-01-01T12:02:05.000Z); then the sync is triggered once more (Ctrl+C: don't wait)",
      "\r\x1b[2K",
    ]);
  });

  it("off a terminal: one line when it starts, then a log line each minute", () => {
    vi.useFakeTimers();
    let now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const out = stderr(false);
    const logged: Array<Record<string, unknown>> = [];
    const view = syncWaitView(out, (fields) => logged.push(fields), { now: () => now });
    view.start(now + 150_000);
    now += 60_000;
    vi.advanceTimersByTime(60_000);
    view.end();
    expect(out.text).toEqual([`${syncWaitLine(now - 60_000 + 150_000, now - 60_000)}\n`]);
    expect(logged.map((f) => (f.sync as { leftMs: number }).leftMs)).toEqual([150_000, 90_000]);
  });
});
