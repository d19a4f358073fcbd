import { describe, expect, it } from "vitest";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { GraphClient } from "../../src/graph/client.js";
import type { ImportReportRow } from "../../src/pipeline/types.js";
import { buildStages } from "../../src/run/stages.js";

/** Never asked: these stages are built and completed without a request. */
const credential: TokenCredential = { getToken: (): Promise<AccessToken> => Promise.reject(new Error("no request expected")) };
const client = new GraphClient({ credential, graphUrl: "https://127.0.0.1:9" });
const after = { verify: false, verifyTimeoutMs: 0, updateExisting: false, sync: true, syncWait: false, syncMaxWaitMs: 0 };
const imported = { file: "a.csv", line: 2, serialNumber: "S1", status: "imported" } as ImportReportRow;

describe("buildStages: the stages around an import from the settings every caller has", () => {
  it("builds none without settings, and no cleanup when it is off", () => {
    expect(buildStages(client, {})).toEqual({});
    const stages = buildStages(client, { after, cleanup: { enabled: false, maxTimeMs: 0, writeLimit: { writes: 100, windowMs: 20_000 } } });
    expect(stages.postImport).toBeDefined();
    expect(stages.cleanup).toBeUndefined();
  });

  it("builds the cleanup with its time limit", () => {
    const stages = buildStages(client, { cleanup: { enabled: true, maxTimeMs: 42_000, writeLimit: { writes: 100, windowMs: 20_000 } } });
    expect(stages.cleanup?.maxTimeMs).toBe(42_000);
  });

  it("leaves the sync to the caller when it syncs elsewhere (the inbox job, once per job)", async () => {
    const stage = buildStages(client, { after, syncElsewhere: true }).postImport!;
    stage.take(imported, {});
    const done = await stage.complete(true, new AbortController().signal);
    expect(done.sync).toEqual({ status: "skipped", message: "not requested" });
    expect(done.rows).toEqual([]);
  });
});
