/**
 * A journal file that is damaged or taken away: what is a torn first record and what is not a journal at all, a
 * journal deleted, replaced or cut short under an open appender, and a journal damaged before its end planning the
 * rows it no longer accounts for into a recovery upload.
 */
import { linkSync, readFileSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StateError } from "../../src/errors.js";
import { RECOVERY_UPLOAD_PREFIX } from "../../src/pipeline/journal-port.js";
import { encodeRecord } from "../../src/state/codec.js";
import { JournalAppender } from "../../src/state/journal-file.js";
import { JournalLostError } from "../../src/state/journal-watch.js";
import { openJournal } from "../../src/state/journal.js";
import { isTornHeader } from "../../src/state/torn-header.js";
import { runOf, tickingClock } from "./helpers.js";
import { tempDir } from "../support/temp-dir.js";

const at = "2026-01-01T00:00:00.000Z";
const session = (pid: number) => ({ type: "session", at, pid, host: "h", resumed: false });

describe("a journal without a valid run record", () => {
  it("is a torn first record only when empty, a prefix of one, or zeros: anything else is not a journal", () => {
    const dir = tempDir("torn-header-");
    const header = encodeRecord({ type: "run", version: 1, at, run: "x" });
    const cases: Array<[string | Buffer, boolean]> = [
      ["", true],
      [header.slice(0, 5), true],
      [header.slice(0, 40), true],
      [Buffer.concat([Buffer.from(header.slice(0, 30)), Buffer.alloc(100)]), true],
      [Buffer.alloc(4096), true],
      ["garbage", false],
      ["garbage line\nmore garbage\n", false],
      [header.slice(0, -1) + "x\n", false],
      ['{"r":{"type":"session"', false],
    ];
    for (const [i, [content, torn]] of cases.entries()) {
      const file = path.join(dir, `${i}.jsonl`);
      writeFileSync(file, content);
      expect(isTornHeader(file), JSON.stringify(content.toString().slice(0, 40))).toBe(torn);
    }
  });

  it("garbage is refused (a StateError: exit 2) and left as it is; a torn first record is started over", async () => {
    const dir = tempDir("not-a-journal-");
    const garbage = path.join(dir, "g.jsonl");
    writeFileSync(garbage, "not\na\njournal\n");
    await expect(openJournal({ file: garbage, run: runOf(), now: tickingClock() })).rejects.toThrow(StateError);
    await expect(openJournal({ file: garbage, run: runOf(), now: tickingClock() })).rejects.toThrow(/is not a journal of this tool .*nothing was sent and the file is left as it is/);
    expect(readFileSync(garbage, "utf8")).toBe("not\na\njournal\n");
    const torn = path.join(dir, "t.jsonl");
    writeFileSync(torn, '{"r":{"ty');
    const { journal } = await openJournal({ file: torn, run: runOf(), now: tickingClock() });
    expect(journal.state.header?.run).toBe(runOf().run);
    journal.close();
  });
});

describe("a journal taken away from its appender", () => {
  const cases: Array<[string, (file: string) => void, RegExp]> = [
    ["deleted", (file) => unlinkSync(file), /was deleted while the import ran: stopped, nothing more is sent/],
    ["emptied", (file) => truncateSync(file, 0), /was emptied or cut short \(0 of its \d+ bytes left\)/],
    [
      "replaced",
      (file) => {
        linkSync(file, `${file}.kept`); // the old file lives on under another name: the path is another file now
        writeFileSync(`${file}.new`, "");
        renameSync(`${file}.new`, file);
      },
      /was replaced by another file/,
    ],
  ];
  for (const [name, damage, message] of cases) {
    it(`${name}: the next append throws JournalLostError (exit 2), and so does every later one; close still works`, () => {
      const file = path.join(tempDir("lost-journal-"), "j.jsonl");
      const appender = JournalAppender.create(file, session(1));
      appender.append(session(2), true);
      damage(file);
      expect(() => appender.append(session(3), true)).toThrow(JournalLostError);
      expect(() => appender.append(session(4), false)).toThrow(message);
      appender.close();
    });
  }

  it("an intact journal appends without complaint, and is created 0600", () => {
    const file = path.join(tempDir("lost-journal-"), "j.jsonl");
    const appender = JournalAppender.create(file, session(1));
    for (let i = 0; i < 100; i++) appender.append(session(i), i % 10 === 0);
    appender.close();
    const reopened = JournalAppender.reopen(file, statSync(file).size, false);
    reopened.append(session(1_000), true);
    reopened.close();
    if (process.platform !== "win32") expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe("a journal damaged before its end", () => {
  it("plans the valid rows its intact records do not account for into one recovery upload, reconciled before anything is sent", async () => {
    const file = path.join(tempDir("recovery-"), "j.jsonl");
    const first = await openJournal({ file, run: runOf(), now: tickingClock() });
    const device = (line: number) => ({ location: { file: "a.csv", line }, serialNumber: `S${line}` });
    first.journal.append({ type: "upload-planned", upload: "u-lost", rows: [[0, 2, "S2"], [0, 3, "S3"]] }, true);
    first.journal.append({ type: "upload-planned", upload: "u-kept", rows: [[0, 4, "S4"]] }, true);
    first.journal.append({ type: "upload-submitted", upload: "u-kept", stagedAt: at, reconciled: false, staged: [[0, 4, "st-4"]], rejected: [], notStaged: [] }, true);
    first.journal.close();
    // One changed character in the first upload's line.
    const lines = readFileSync(file, "utf8").split("\n");
    const planned = lines.findIndex((l) => l.includes('"u-lost"'));
    lines[planned] = lines[planned]!.replace('"S2"', '"S7"');
    writeFileSync(file, lines.join("\n"));
    const { journal, scan } = await openJournal({ file, run: runOf(), now: tickingClock() });
    expect(scan?.damaged).toBe(1);
    expect(journal.planRecovery([2, 3, 4, 5].map(device))).toBe(3);
    const [recovery, ...others] = journal.unconfirmedUploads();
    expect(others).toEqual([]);
    expect(recovery?.id.startsWith(RECOVERY_UPLOAD_PREFIX)).toBe(true);
    expect(recovery?.devices.map((d) => d.serialNumber)).toEqual(["S2", "S3", "S5"]);
    // The ids the intact records name: a record carrying one of them is the run's own.
    expect([...recovery!.recovery!.knownUploads].sort()).toEqual(["u-kept", recovery!.id].sort());
    expect(journal.resumed).toBe(true);
    // Planned rows are accounted for: planning again plans nothing.
    expect(journal.planRecovery([2, 3, 4, 5].map(device))).toBe(0);
    journal.close();
  });

  it("counts as resumed once it planned recovery, even when the damage took every record of an earlier process", async () => {
    const file = path.join(tempDir("recovery-"), "j.jsonl");
    const first = await openJournal({ file, run: runOf(), now: tickingClock() });
    first.journal.append({ type: "upload-planned", upload: "u-lost", rows: [[0, 2, "S2"]] }, true);
    first.journal.append({ type: "service-trait", name: "importIdKept", value: false }, true);
    first.journal.close();
    writeFileSync(file, readFileSync(file, "utf8").replace('"S2"', '"S9"'));
    const { journal } = await openJournal({ file, run: runOf(), now: tickingClock() });
    expect(journal.resumed).toBe(false);
    expect(journal.planRecovery([{ location: { file: "a.csv", line: 2 }, serialNumber: "S2" }])).toBe(1);
    // A new baseline now would count the lost upload's records as someone else's: a resumed run takes none.
    expect(journal.resumed).toBe(true);
    journal.close();
  });
});
