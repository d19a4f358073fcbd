import { describe, expect, it } from "vitest";
import { estimateRemainingMs, logProgress, renderProgressLine, ttyProgress } from "../../src/pipeline/progress.js";
import type { ProgressSnapshot } from "../../src/pipeline/progress.js";

const snapshot: ProgressSnapshot = { read: 1000, readDone: true, valid: 1000, submitted: 800, completed: 500, failed: 3, rejected: 2 };

describe("progress", () => {
  it("estimates the time left from the completion rate once reading is done", () => {
    expect(estimateRemainingMs(snapshot, 10_000)).toBe(10_000);
    expect(estimateRemainingMs({ ...snapshot, readDone: false }, 10_000)).toBeUndefined();
    expect(estimateRemainingMs({ ...snapshot, completed: 0 }, 10_000)).toBeUndefined();
  });

  it("renders a one-line bar", () => {
    expect(renderProgressLine(snapshot, 10_000, 10)).toBe(
      "[#####-----]  50% read 1,000 · submitted 800 · done 500 · failed 3 · rejected 2 · ETA 10s",
    );
    expect(renderProgressLine({ ...snapshot, readDone: false }, 10_000, 10)).toMatch(/\?% .* ETA --$/);
  });

  it("redraws a TTY line at most once per interval, and always at the end", () => {
    let now = 0;
    const out: string[] = [];
    const sink = ttyProgress((t) => out.push(t), { now: () => now, everyMs: 200 });
    sink.update(snapshot);
    now = 100;
    sink.update(snapshot);
    now = 250;
    sink.update(snapshot);
    sink.finish(snapshot);
    expect(out.filter((t) => t.startsWith("\r"))).toHaveLength(3);
    expect(out.at(-1)).toBe("\n");
  });

  it("logs off a TTY every interval", () => {
    let now = 0;
    const lines: Record<string, unknown>[] = [];
    const sink = logProgress((fields) => lines.push(fields), { now: () => now, everyMs: 10_000 });
    for (now = 0; now <= 25_000; now += 1_000) sink.update(snapshot);
    sink.finish(snapshot);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ progress: { submitted: 800, completed: 500 } });
  });
});
