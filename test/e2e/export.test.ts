/**
 * `autopilot-import export` end to end: the built CLI against the emulator's seeded tenant. Paging through tens of
 * thousands of devices in flat memory (the child's own peak RSS), throttling waited out, selectors, the CSV read back
 * by our own CSV reader, JSON Lines, and the refusals (an existing --out, a bad --where).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHead, inspectHead } from "../../src/csv/head.js";
import { HEADER_ALIASES, normalizeHeader } from "../../src/csv/header.js";
import { RecordParser, type ParsedItem } from "../../src/csv/record-parser.js";
import { transcodeStage, Utf8Transcoder } from "../../src/csv/transcoder.js";
import { startEmulator, type EmulatorHandle, type ScenarioInput } from "../../src/emulator/index.js";
import { BIN, runCli, startCli, startNode, type CliResult } from "../support/cli-process.js";

const BIG = 20_000;
const LIST_ROUTE = "GET /beta/deviceManagement/windowsAutopilotDeviceIdentities";
// Writes the child's peak resident set (KiB) to $PEAK_RSS_FILE as it exits: memory measured by the process itself.
const PEAK_RSS = `data:text/javascript,import{writeFileSync}from"node:fs";process.on("exit",()=>writeFileSync(process.env.PEAK_RSS_FILE,String(process.resourceUsage().maxRSS)))`;

/** Every record of a CSV file through the project's own reader stages: encoding detection, transcoding, parsing. */
async function readCsvRecords(file: string): Promise<string[][]> {
  const iterator = Readable.from([readFileSync(file)])[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head = await readHead(iterator);
  const inspection = inspectHead(head);
  if (!inspection.ok) throw new Error(inspection.error);
  expect(inspection.encoding).toBe("utf-8-bom");
  const parser = new RecordParser(inspection.delimiter);
  async function* bytes(): AsyncGenerator<Buffer> {
    yield* head.chunks;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  const done = pipeline(bytes(), transcodeStage(new Utf8Transcoder(() => undefined)), parser);
  const records: string[][] = [];
  for await (const item of parser as AsyncIterable<ParsedItem>) {
    if ("failure" in item) throw item.failure;
    records.push(item.record);
  }
  await done;
  return records;
}

describe("autopilot-import export", () => {
  /** The big tenant (memory); `emulator` is a small one for everything else (each listing of the big one takes seconds). */
  let big: EmulatorHandle;
  let emulator: EmulatorHandle;
  let dir: string;
  let common: { env: Record<string, string>; flags: string[] };
  let bigCommon: { env: Record<string, string>; flags: string[] };
  const SMALL = 2_000;

  const scenario: ScenarioInput = {
    clock: { speed: 100 },
    throttling: { enabled: true },
    paging: { registeredPageSize: 500 },
    tenant: { registeredSeed: { count: BIG, serialPrefix: "EXP" }, registeredDevices: [{ serialNumber: "COMMA,1", groupTag: "R and D", manufacturer: "Café \"Ltd\"", managed: true }] },
  };

  const signInTo = (e: EmulatorHandle): { env: Record<string, string>; flags: string[] } => ({
    env: { AZURE_TENANT_ID: e.tenantId, AZURE_CLIENT_ID: e.clientId, AZURE_CLIENT_SECRET: e.clientSecret },
    flags: ["--graph-url", e.graphUrl, "--authority-host", e.authorityHost, "--ca-cert", e.caCertPath, "--log-level", "warn"],
  });

  beforeAll(async () => {
    expect(existsSync(BIN), "run `npm run build` before the CLI tests").toBe(true);
    big = await startEmulator({ scenario });
    emulator = await startEmulator({ scenario: { ...scenario, tenant: { ...scenario.tenant, registeredSeed: { count: SMALL, serialPrefix: "EXP" } } } });
    dir = mkdtempSync(path.join(tmpdir(), "autopilot-export-"));
    common = signInTo(emulator);
    bigCommon = signInTo(big);
  });
  afterAll(async () => {
    await big?.close();
    await emulator?.close();
  });

  async function exportWithPeak(args: readonly string[]): Promise<{ result: CliResult; peakKiB: number }> {
    const peakFile = path.join(dir, `peak-${Math.random().toString(36).slice(2)}`);
    const result = await startNode(["--import", PEAK_RSS, BIN, "export", ...args, ...bigCommon.flags], { env: { ...bigCommon.env, PEAK_RSS_FILE: peakFile }, cwd: dir }).result;
    return { result, peakKiB: Number(readFileSync(peakFile, "utf8")) };
  }

  it(`streams ${BIG.toLocaleString("en")} devices page by page in flat memory; the CSV reads back with our reader`, async () => {
    const none = await exportWithPeak(["--where", "purchase-order=nothing-matches", "--out", "none.csv"]);
    const all = await exportWithPeak(["--out", "all.csv", "--json"]);
    expect(all.result.stderr).toBe(`exported ${BIG + 1} devices to ${path.join(dir, "all.csv")}\n`);
    expect(all.result.code).toBe(0);
    expect(JSON.parse(all.result.stdout)).toMatchObject({ out: path.join(dir, "all.csv"), format: "csv", where: null, listed: BIG + 1, exported: BIG + 1, pages: Math.ceil((BIG + 1) / 500) });
    expect(none.result.code).toBe(0);
    // Both runs listed the same 20,001 devices (measured: about 10 MB apart); holding them all as rows would add well over 30 MB.
    expect(all.peakKiB - none.peakKiB, `peak RSS ${all.peakKiB} KiB vs ${none.peakKiB} KiB`).toBeLessThan(25 * 1024);

    const text = readFileSync(path.join(dir, "all.csv"), "utf8");
    expect(text.startsWith("\uFEFFDevice Serial Number,Manufacturer name,Device model,Group Tag,Assigned User,Display Name,Enrollment State,Profile Assignment Status,Purchase Order,Last Contacted,Autopilot Device ID,Entra Device ID,Intune Device ID\r\n")).toBe(true);
    expect(text.split("\r\n")).toHaveLength(BIG + 3);
    const [header, ...rows] = await readCsvRecords(path.join(dir, "all.csv"));
    // The import's own column names: an exported file maps to serial, tag and user as an import file does.
    const field = (name: string): string | undefined => Object.entries(HEADER_ALIASES).find(([, aliases]) => aliases.some((alias) => normalizeHeader(alias) === normalizeHeader(name)))?.[0];
    expect(header?.map(field).slice(0, 5)).toEqual(["serialNumber", undefined, undefined, "groupTag", "assignedUserPrincipalName"]);
    const listed = big.devices().registered;
    expect(rows.map((row) => row[0])).toEqual(listed.map((device) => device.serialNumber));
    const byId = new Map(listed.map((device) => [device.id, device]));
    for (const row of rows) {
      const device = byId.get(row[10] ?? "");
      expect(row.slice(0, 5)).toEqual([device?.serialNumber, device?.manufacturer, device?.model, device?.groupTag, device?.userPrincipalName]);
      expect(row[6]).toBe(device?.enrollmentState);
      expect(row[12]).toBe(device?.enrollmentState === "enrolled" ? device.managedDeviceId : "");
    }
    expect(rows.find((row) => row[0] === "COMMA,1")?.slice(0, 4)).toEqual(["COMMA,1", 'Café "Ltd"', "", "R and D"]);
    // No temporary file left beside it.
    expect(readdirSync(dir).filter((name) => name.includes(".partial-"))).toEqual([]);
  }, 120_000);

  it("selects client-side while streaming (group tag, empty tag, manufacturer and purchase order); JSON Lines uses Graph's names", async () => {
    const listed = emulator.devices().registered;
    const untagged = listed.filter((device) => device.groupTag === "");
    const result = await runCli(["export", "--where", "group-tag=", "--out", "untagged.csv", ...common.flags], { env: common.env, cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`exported ${untagged.length} devices (${listed.length} listed, selected by group-tag=) to ${path.join(dir, "untagged.csv")}\n`);
    const rows = (await readCsvRecords(path.join(dir, "untagged.csv"))).slice(1);
    expect(rows.map((row) => row[0])).toEqual(untagged.map((device) => device.serialNumber));

    const where = "manufacturer=dell inc. and purchase-order=PO-1001 and group-tag=Sales";
    const expected = listed.filter((device) => device.manufacturer === "Dell Inc." && device.purchaseOrderIdentifier === "PO-1001" && device.groupTag === "Sales");
    expect(expected.length).toBeGreaterThan(10);
    expect(untagged.length).toBeGreaterThan(100);
    const jsonl = await runCli(["export", "--where", where, "--format", "jsonl", "--out", "-", ...common.flags], { env: common.env, cwd: dir });
    expect(jsonl.code).toBe(0);
    const lines = jsonl.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line["serialNumber"])).toEqual(expected.map((device) => device.serialNumber));
    expect(Object.keys(lines[0] ?? {})).toEqual([
      "serialNumber", "manufacturer", "model", "groupTag", "userPrincipalName", "displayName", "enrollmentState",
      "deploymentProfileAssignmentStatus", "purchaseOrderIdentifier", "lastContactedDateTime", "id", "azureActiveDirectoryDeviceId", "managedDeviceId",
    ]);
    const enrolled = lines.find((line) => line["enrollmentState"] === "enrolled");
    expect(enrolled).toMatchObject({ deploymentProfileAssignmentStatus: "assignedInSync", managedDeviceId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(String(enrolled?.["lastContactedDateTime"])).toMatch(/^20\d\d-/);
    const notEnrolled = lines.find((line) => line["enrollmentState"] === "notContacted");
    expect(notEnrolled).toMatchObject({ lastContactedDateTime: null, managedDeviceId: null });
    expect(jsonl.stderr).toContain(`exported ${expected.length} devices`);
  }, 60_000);

  it("refuses an existing --out without --force (exit 2, file untouched) and replaces it with --force", async () => {
    const out = path.join(dir, "kept.jsonl");
    writeFileSync(out, "mine\n");
    const refused = await runCli(["export", "--out", out, "--where", "group-tag=Kiosk", ...common.flags], { env: common.env, cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`autopilot-import: --out ${out} already exists: choose another path, or add --force to replace it\n`);
    expect(readFileSync(out, "utf8")).toBe("mine\n");
    const forced = await runCli(["export", "--out", out, "--where", "group-tag=Kiosk", "--force", ...common.flags], { env: { ...common.env, AUTOPILOT_IMPORT_EXPORT_WHERE: "ignored=1" }, cwd: dir });
    expect(forced.code).toBe(0);
    const first = JSON.parse(readFileSync(out, "utf8").split("\n")[0] ?? "") as Record<string, unknown>;
    expect(first["groupTag"]).toBe("Kiosk");
  }, 60_000);

  it("reads --where, --format and --out from the environment; a bad selector is one line, exit 2, nothing written", async () => {
    const bad = await runCli(["export", ...common.flags], { env: { ...common.env, AUTOPILOT_IMPORT_EXPORT_WHERE: "colour=red", AUTOPILOT_IMPORT_EXPORT_OUT: "bad.csv" }, cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("autopilot-import: --where: unknown field 'colour' (fields: group-tag, manufacturer, model, purchase-order)\n");
    expect(existsSync(path.join(dir, "bad.csv"))).toBe(false);
    const viaEnv = await runCli(["export", ...common.flags], {
      env: { ...common.env, AUTOPILOT_IMPORT_EXPORT_WHERE: "group-tag='R and D'", AUTOPILOT_IMPORT_EXPORT_OUT: "env.out", AUTOPILOT_IMPORT_EXPORT_FORMAT: "jsonl" },
      cwd: dir,
    });
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, "env.out"), "utf8"))).toMatchObject({ serialNumber: "COMMA,1", groupTag: "R and D" });
    expect(`${viaEnv.stdout}${viaEnv.stderr}`).not.toContain(emulator.clientSecret);
  }, 60_000);

  it("waits out throttling and still writes every device once; a service failure leaves no file (exit 3)", async () => {
    const before = emulator.stats();
    // 3 requests per 80 emulated seconds (0.8 s at speed 100) for 21 pages of 100: throttled in every window unless a
    // page takes over 260 ms (3 per 0.3 s asked for pages under 100 ms: a loaded machine's were throttled 0 to 4 times).
    emulator.setScenario({ throttling: { requestsPerWindow: 3, windowSeconds: 80 }, paging: { registeredPageSize: 100 }, service: { retryAfter: "fractional" } });
    try {
      const result = await runCli(["export", "--out", "throttled.csv", "--json", ...common.flags], { env: common.env, cwd: dir });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ exported: SMALL + 1, pages: Math.ceil((SMALL + 1) / 100) });
      const rows = (await readCsvRecords(path.join(dir, "throttled.csv"))).slice(1);
      expect(rows).toHaveLength(SMALL + 1);
      expect(new Set(rows.map((row) => row[0])).size).toBe(SMALL + 1);
      expect(emulator.stats().throttled.total).toBeGreaterThan(before.throttled.total);
      expect(emulator.stats().requests.byRoute[LIST_ROUTE]?.["429"] ?? 0).toBeGreaterThan(0);
    } finally {
      emulator.setScenario({ throttling: { requestsPerWindow: 1000, windowSeconds: 20 }, paging: { registeredPageSize: 500 }, service: { retryAfter: "seconds" } });
    }
    emulator.setScenario({ service: { repeatNextLinkAfterPages: 3 } });
    try {
      const looping = await runCli(["export", "--out", "loop.csv", ...common.flags], { env: common.env, cwd: dir });
      expect(looping.code).toBe(3);
      expect(looping.stderr).toMatch(/^autopilot-import: .*same @odata\.nextLink twice.*\n$/);
      expect(existsSync(path.join(dir, "loop.csv"))).toBe(false);
      expect(readdirSync(dir).filter((name) => name.includes(".partial-"))).toEqual([]);
    } finally {
      emulator.setScenario({ service: { repeatNextLinkAfterPages: 0 } });
    }
  }, 120_000);

  it("SIGINT mid-export: exit 130, and neither the file nor its partial is left", async () => {
    // Slow pages (3 per 30 emulated s) so the signal lands mid-listing.
    emulator.setScenario({ throttling: { requestsPerWindow: 3, windowSeconds: 30 }, paging: { registeredPageSize: 100 }, service: { retryAfter: "fractional" } });
    try {
      const running = startCli(["export", "--out", "interrupted.csv", ...common.flags], { env: common.env, cwd: dir });
      const listed = emulator.stats().requests.byRoute[LIST_ROUTE]?.["200"] ?? 0;
      for (let waited = 0; (emulator.stats().requests.byRoute[LIST_ROUTE]?.["200"] ?? 0) < listed + 3 && waited < 20_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      running.child.kill("SIGINT");
      const result = await running.result;
      expect(result.code).toBe(130);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(readdirSync(dir).filter((name) => name.includes("interrupted"))).toEqual([]);
    } finally {
      emulator.setScenario({ throttling: { requestsPerWindow: 1000, windowSeconds: 20 }, paging: { registeredPageSize: 500 }, service: { retryAfter: "seconds" } });
    }
  }, 60_000);
});
