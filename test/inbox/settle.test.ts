/** The settle check: old enough, and unchanged between two samples the settle time apart. */
import { appendFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { scanInbox } from "../../src/inbox/scan.js";
import { settleFiles, settleVerdict, stillSettled } from "../../src/inbox/settle.js";
import { age, makeInbox } from "./helpers.js";

const NOW = 1_000_000;

describe("settleVerdict", () => {
  const first = { size: 10, mtimeMs: NOW - 60_000 };

  it("takes a file old enough and unchanged", () => {
    expect(settleVerdict(first, NOW, { ...first }, 5_000)).toBeUndefined();
  });

  it("leaves a file modified within the settle time (or in the future: a clock ahead of ours)", () => {
    expect(settleVerdict({ size: 10, mtimeMs: NOW - 4_999 }, NOW, undefined, 5_000)).toBe("young");
    expect(settleVerdict({ size: 10, mtimeMs: NOW + 2_000 }, NOW, undefined, 5_000)).toBe("young");
  });

  it("leaves a file whose size or mtime changed between the samples, or that is gone", () => {
    expect(settleVerdict(first, NOW, { size: 11, mtimeMs: first.mtimeMs }, 5_000)).toBe("changing");
    expect(settleVerdict(first, NOW, { size: 10, mtimeMs: first.mtimeMs + 1 }, 5_000)).toBe("changing");
    expect(settleVerdict(first, NOW, undefined, 5_000)).toBe("gone");
  });

  it("a settle time of 0 takes everything", () => {
    expect(settleVerdict({ size: 1, mtimeMs: NOW }, NOW, undefined, 0)).toBeUndefined();
  });
});

describe("settleFiles", () => {
  it("waits once, the settle time, and splits the files; young files are not sampled again", async () => {
    const { inbox } = makeInbox("settle-unit");
    const file = (name: string, ageMs: number): string => {
      const full = path.join(inbox, name);
      writeFileSync(full, "Serial\r\n");
      age(full, ageMs);
      return full;
    };
    file("steady.csv", 60_000);
    const growing = file("growing.csv", 60_000);
    const touched = file("touched.csv", 60_000);
    const removed = file("removed.csv", 60_000);
    file("young.csv", 1_000);
    const { files } = await scanInbox(inbox);
    const waits: number[] = [];
    const { ready, skipped } = await settleFiles(files, {
      settleMs: 5_000,
      sampledAt: Date.now(),
      signal: new AbortController().signal,
      // While "waiting": one file grows (its mtime put back), one is touched, one removed.
      sleep: async (ms) => {
        waits.push(ms);
        appendFileSync(growing, "more\r\n");
        age(growing, 60_000);
        age(touched, 30_000);
        rmSync(removed);
      },
    });
    expect(waits).toEqual([5_000]);
    expect(ready.map((f) => f.name)).toEqual(["steady.csv"]);
    expect(skipped.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "growing.csv", reason: "changing" },
      { name: "removed.csv", reason: "gone" },
      { name: "touched.csv", reason: "changing" },
      { name: "young.csv", reason: "young" },
    ]);
  });

  it("does not wait when nothing is left to sample, or with a settle time of 0", async () => {
    const { inbox } = makeInbox("settle-nowait");
    writeFileSync(path.join(inbox, "a.csv"), "x");
    const { files } = await scanInbox(inbox);
    const sleep = async (): Promise<void> => {
      throw new Error("no wait expected");
    };
    const signal = new AbortController().signal;
    expect((await settleFiles(files, { settleMs: 5_000, sampledAt: Date.now(), sleep, signal })).skipped).toEqual([{ name: "a.csv", reason: "young" }]);
    expect((await settleFiles(files, { settleMs: 0, sampledAt: Date.now(), sleep, signal })).ready.map((f) => f.name)).toEqual(["a.csv"]);
  });

  it("stillSettled: a file that changed after it settled (a long job reaches it later) is left", async () => {
    const { inbox } = makeInbox("settle-later");
    const full = path.join(inbox, "a.csv");
    writeFileSync(full, "x");
    age(full, 60_000);
    const [file] = (await scanInbox(inbox)).files;
    expect(await stillSettled(file!)).toBeUndefined();
    appendFileSync(full, "y");
    expect(await stillSettled(file!)).toBe("changed");
    rmSync(full);
    expect(await stillSettled(file!)).toBe("gone");
  });
});
