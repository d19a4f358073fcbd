/** What `autopilot-import status` shows of the `update` and `deregister` runs journaled in `<state-dir>/ops/`. */
import { readdirSync } from "node:fs";
import path from "node:path";
import { scanJournal } from "../state/journal-file.js";
import { parseOpRecord, type OpCommand, type OpRecord } from "./op-records.js";
import { opsDir } from "./op-state.js";

export interface OpRunStatus {
  readonly command: OpCommand;
  readonly key: string;
  readonly journal: string;
  /** Set aside by --fresh. */
  readonly archived: boolean;
  readonly finished: boolean;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly files: readonly string[];
  readonly where: string | null;
  readonly tenant: string;
  readonly endpoint: string;
  readonly plan: string;
  /** Rows with an outcome, by status. */
  readonly outcomes: Record<string, number>;
  /** Writes sent without an outcome yet (checked first when the run is resumed). */
  readonly inFlight: number;
  readonly attempts: number;
  readonly damagedLines: number;
}

const NAME = /^(update|deregister)-([0-9a-f]{16})(\.archived-[0-9TZ]+)?\.jsonl$/;

function list(stateDir: string): { file: string; archived: boolean }[] {
  try {
    return readdirSync(opsDir(stateDir))
      .filter((name) => NAME.test(name))
      .sort()
      .map((name) => ({ file: path.join(opsDir(stateDir), name), archived: NAME.exec(name)?.[3] !== undefined }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** Every journaled update and deregister run (none when there is no ops folder), unfinished first. */
export async function describeOps(stateDir: string): Promise<OpRunStatus[]> {
  const found: OpRunStatus[] = [];
  for (const { file, archived } of list(stateDir)) {
    let header: Extract<OpRecord, { type: "op-run" }> | undefined;
    let updatedAt: string | null = null;
    let finished = false;
    let attempts = 0;
    const outcomeOf = new Map<string, string>();
    const pending = new Set<string>();
    const scan = await scanJournal(
      file,
      (record) => {
        updatedAt = record.at;
        switch (record.type) {
          case "op-run":
            header ??= record;
            return;
          case "op-session":
            attempts += 1;
            return;
          case "op-finished":
            finished = true;
            return;
          case "op-intent":
            for (const [key] of record.items) if (!outcomeOf.has(key)) pending.add(key);
            return;
          case "op-outcome":
            for (const [key, status] of record.items) {
              outcomeOf.set(key, status);
              pending.delete(key);
            }
        }
      },
      parseOpRecord,
    );
    if (!header) continue; // not one of ours, or its first record torn: nothing to show
    const outcomes: Record<string, number> = {};
    for (const status of outcomeOf.values()) outcomes[status] = (outcomes[status] ?? 0) + 1;
    const h: Extract<OpRecord, { type: "op-run" }> = header;
    found.push({
      command: h.command,
      key: h.key,
      journal: file,
      archived,
      finished,
      createdAt: h.at,
      updatedAt,
      files: h.files.map((f) => f.name),
      where: h.where,
      tenant: h.tenant,
      endpoint: h.endpoint,
      plan: h.plan,
      outcomes,
      inFlight: pending.size,
      attempts,
      damagedLines: scan.damaged,
    });
  }
  return found.sort((a, b) => Number(a.finished || a.archived) - Number(b.finished || b.archived) || (b.updatedAt ?? "").localeCompare(a.updatedAt ?? ""));
}
