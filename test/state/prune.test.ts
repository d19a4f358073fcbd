import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StateLockedError } from "../../src/state/lock-error.js";
import { openJournal } from "../../src/state/journal.js";
import { acquireLock } from "../../src/state/lock-file.js";
import { pruneRuns } from "../../src/state/prune.js";
import { ensureStateDir, journalFile, listJournals, stateLayout } from "../../src/state/state-dir.js";
import { tempDir } from "../support/temp-dir.js";
import { runOf, tickingClock } from "./helpers.js";

const KEY_EMPTY = "00000000000000e1";
const KEY_READ = "00000000000000e2";
const KEY_SENT = "00000000000000f1";

async function journalOf(file: string, run: string, write: (journal: Awaited<ReturnType<typeof openJournal>>["journal"]) => void): Promise<void> {
  const { journal } = await openJournal({ file, run: runOf({ run }), now: tickingClock(), pid: 42, host: "here", outcomeSyncMs: 60_000 });
  write(journal);
  journal.close();
}

describe("status --prune (pruneRuns)", () => {
  it("forgets the runs that never submitted anything and never touches a run with an upload", async () => {
    const layout = stateLayout(tempDir());
    ensureStateDir(layout);
    // A sign-in refused (before this release, journaled first): a header and a session, nothing else.
    await journalOf(journalFile(layout, KEY_EMPTY), KEY_EMPTY, () => undefined);
    // Read to the end without a valid row.
    await journalOf(journalFile(layout, KEY_READ), KEY_READ, (journal) => journal.inputRead({ rows: 3, valid: 0, invalid: 3, duplicates: 0 }));
    // One upload planned (not even answered): its devices may be in Graph.
    await journalOf(journalFile(layout, KEY_SENT), KEY_SENT, (journal) =>
      journal.uploadPlanned({
        id: "u1",
        createdDateTimeUtc: "2026-01-01T00:00:00Z",
        status: "noUpload",
        size: 1,
        devices: [{ location: { file: "a.csv", line: 2 }, device: { serialNumber: "SENT", hardwareIdentifier: "AAAA" } }],
      }),
    );

    const pruned = await pruneRuns(layout);
    expect(pruned.map((p) => p.run).sort()).toEqual([KEY_EMPTY, KEY_READ]);
    expect(pruned.find((p) => p.run === KEY_READ)).toMatchObject({ files: ["a.csv", "b.csv"], rowsRead: 3, finished: false, archived: false });
    expect(listJournals(layout).map((entry) => entry.key)).toEqual([KEY_SENT]);
    expect(existsSync(layout.lock)).toBe(false);
    expect(await pruneRuns(layout)).toEqual([]);
  });

  it("does nothing in a state directory that does not exist, and creates none", async () => {
    const layout = stateLayout(path.join(tempDir(), "absent"));
    expect(await pruneRuns(layout)).toEqual([]);
    expect(existsSync(layout.dir)).toBe(false);
  });

  it("takes the state directory's lock: refuses while a live process holds it", async () => {
    const layout = stateLayout(tempDir());
    ensureStateDir(layout);
    await journalOf(journalFile(layout, KEY_EMPTY), KEY_EMPTY, () => undefined);
    const held = acquireLock(layout.lock, { dir: layout.dir, command: "import" });
    try {
      await expect(pruneRuns(layout)).rejects.toBeInstanceOf(StateLockedError);
    } finally {
      held.release();
    }
    expect(listJournals(layout).map((entry) => entry.key)).toEqual([KEY_EMPTY]);
  });
});

describe("status --prune and a file that is not a journal", () => {
  it("leaves garbage in a journal's place as it is (it proves nothing), and forgets a torn first record", async () => {
    const layout = stateLayout(tempDir());
    ensureStateDir(layout);
    const garbage = journalFile(layout, "00000000000000a1");
    writeFileSync(garbage, "garbage\nmore garbage\n");
    const torn = journalFile(layout, "00000000000000a2");
    writeFileSync(torn, '{"r":{"type":"ru');
    const pruned = await pruneRuns(layout);
    expect(pruned.map((p) => p.run)).toEqual(["00000000000000a2"]);
    expect(readFileSync(garbage, "utf8")).toBe("garbage\nmore garbage\n");
  });
});
