import { appendFileSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { encodeRecord } from "../../src/state/codec.js";
import { JournalAppender, scanJournal } from "../../src/state/journal-file.js";
import type { JournalRecord } from "../../src/state/records.js";
import { tempDir } from "../support/temp-dir.js";

const at = "2026-01-01T00:00:00.000Z";
const session = (pid: number) => ({ type: "session", at, pid, host: "h", resumed: false });

async function scan(file: string) {
  const records: JournalRecord[] = [];
  const result = await scanJournal(file, (r) => records.push(r));
  return { ...result, list: records };
}

describe("journal file: torn tails and damage", () => {
  it("reads back what was appended", async () => {
    const file = path.join(tempDir(), "j.jsonl");
    const journal = JournalAppender.create(file, session(1));
    journal.append(session(2), false);
    journal.append(session(3), true);
    journal.close();
    const result = await scan(file);
    expect(result.list.map((r) => (r.type === "session" ? r.pid : 0))).toEqual([1, 2, 3]);
    expect(result).toMatchObject({ records: 3, tornBytes: 0, damaged: 0, unknown: 0, intactBytes: statSync(file).size });
  });

  it("ignores a truncated last record, cuts it off before appending, never fails", async () => {
    const file = path.join(tempDir(), "j.jsonl");
    writeFileSync(file, encodeRecord(session(1)) + encodeRecord(session(2)) + encodeRecord(session(3)));
    const whole = statSync(file).size;
    truncateSync(file, whole - 7);
    const torn = await scan(file);
    expect(torn.records).toBe(2);
    expect(torn.tornBytes).toBe(encodeRecord(session(3)).length - 7);
    const reopened = JournalAppender.reopen(file, torn.intactBytes, true);
    reopened.append(session(4), true);
    reopened.close();
    const after = await scan(file);
    expect(after.list.map((r) => (r.type === "session" ? r.pid : 0))).toEqual([1, 2, 4]);
    expect(after.tornBytes).toBe(0);
  });

  it("treats a complete record without its newline as torn (the write did not finish)", async () => {
    const file = path.join(tempDir(), "j.jsonl");
    writeFileSync(file, encodeRecord(session(1)) + encodeRecord(session(2)).trimEnd());
    const result = await scan(file);
    expect(result.records).toBe(1);
    expect(result.tornBytes).toBe(encodeRecord(session(2)).length - 1);
  });

  it("treats zeros or garbage after the last record as a torn tail", async () => {
    const file = path.join(tempDir(), "j.jsonl");
    writeFileSync(file, encodeRecord(session(1)));
    appendFileSync(file, Buffer.alloc(300));
    appendFileSync(file, "\n{half a record\n");
    const result = await scan(file);
    expect(result).toMatchObject({ records: 1, damaged: 0, tornBytes: 300 + "\n{half a record\n".length });
  });

  it("skips a damaged line in the middle and keeps the records after it (nothing is cut)", async () => {
    const file = path.join(tempDir(), "j.jsonl");
    const bad = encodeRecord(session(2)).replace('"pid":2', '"pid":9');
    writeFileSync(file, encodeRecord(session(1)) + bad + encodeRecord(session(3)));
    const result = await scan(file);
    expect(result.list.map((r) => (r.type === "session" ? r.pid : 0))).toEqual([1, 3]);
    expect(result).toMatchObject({ damaged: 1, tornBytes: 0 });
  });

  it("keeps intact records of kinds it does not know (a newer version's) without failing", async () => {
    const file = path.join(tempDir(), "j.jsonl");
    writeFileSync(file, encodeRecord(session(1)) + encodeRecord({ type: "from-the-future", at }) + encodeRecord(session(2)));
    const result = await scan(file);
    expect(result).toMatchObject({ records: 2, unknown: 1, tornBytes: 0 });
  });

  it("reads lines across read-buffer boundaries (a journal larger than one chunk)", async () => {
    const file = path.join(tempDir(), "j.jsonl");
    const journal = JournalAppender.create(file, session(0));
    for (let i = 1; i < 5000; i++) journal.append({ ...session(i), host: `host-${"x".repeat(i % 97)}` }, false);
    journal.close();
    expect(statSync(file).size).toBeGreaterThan(600 * 1024);
    const result = await scan(file);
    expect(result.records).toBe(5000);
    expect(result.list.every((r, i) => r.type === "session" && r.pid === i)).toBe(true);
    expect(result.tornBytes).toBe(0);
  });

  it("fsyncs only when asked, and not twice for nothing", () => {
    const file = path.join(tempDir(), "j.jsonl");
    const journal = JournalAppender.create(file, session(1));
    expect(journal.syncs).toBe(1);
    journal.append(session(2), false);
    journal.append(session(3), false);
    expect(journal.unsynced).toBe(true);
    journal.sync();
    journal.sync();
    expect(journal.syncs).toBe(2);
    journal.close();
    expect(readFileSync(file, "utf8").split("\n").filter(Boolean)).toHaveLength(3);
  });

  it("refuses to create a journal that exists", () => {
    const file = path.join(tempDir(), "j.jsonl");
    JournalAppender.create(file, session(1)).close();
    expect(() => JournalAppender.create(file, session(1))).toThrow(/EEXIST/);
  });
});
