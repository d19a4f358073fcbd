/** The archive file on its own: its format read back by the import reader, 0600 whoever made it, a torn tail cut, no serial twice. */
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ARCHIVE_HEADER, archiveLine, openArchiveFile, type ArchiveRow } from "../../src/archive/archive-file.js";
import { ArchiveTap } from "../../src/archive/archive-tap.js";
import { makeHash, readAll } from "../support/device-csv.js";
import { fileTempDir } from "../support/temp-dir.js";
import { itWithPosixModes } from "../support/platform.js";

const row = (serialNumber: string, extra: Partial<ArchiveRow> = {}): ArchiveRow => ({ serialNumber, productKey: "", hardwareHash: makeHash(), groupTag: "", assignedUser: "", ...extra });

describe("archive file", () => {
  it("writes the admin center's columns, exact values quoted only where needed, and the import reader takes it as it is", async () => {
    const dir = fileTempDir("archive-");
    const archive = await openArchiveFile(dir, "a.csv");
    const rows = [row("PLAIN-1", { groupTag: "Sales" }), row("-starts-with-dash", { groupTag: "a,b", assignedUser: "ana@contoso.com" }), row("P-3", { assignedUser: "bob@contoso.com" })];
    for (const r of rows) archive.add(r);
    await archive.close();
    expect(archive.written).toBe(3);
    const text = readFileSync(path.join(dir, "a.csv"), "utf8");
    expect(text.split("\r\n")[0]).toBe(ARCHIVE_HEADER.join(","));
    expect(text).toContain("\r\n-starts-with-dash,,"); // no formula quote: the value is input for imports
    expect(archiveLine(row('Q"1', { hardwareHash: "h" }))).toBe('"Q""1",,h,,\r\n');
    const read = await readAll([path.join(dir, "a.csv")]);
    expect(read.rows.map((r) => (r.status === "valid" ? [r.device.serialNumber, r.device.hardwareIdentifier, r.device.groupTag ?? "", r.device.productKey ?? ""] : r.status))).toEqual(
      rows.map((r) => [r.serialNumber, r.hardwareHash, r.groupTag, r.productKey]),
    );
  });

  itWithPosixModes("is 0600 even when an earlier file was readable by others", async () => {
    const dir = fileTempDir("archive-");
    writeFileSync(path.join(dir, "b.csv"), "");
    chmodSync(path.join(dir, "b.csv"), 0o644);
    const archive = await openArchiveFile(dir, "b.csv");
    await archive.close();
    expect(statSync(path.join(dir, "b.csv")).mode & 0o777).toBe(0o600);
  });

  it("resumes: skips serials already there (any case), cuts a torn last line and writes that row again", async () => {
    const dir = fileTempDir("archive-");
    const [one, two, three] = [row("R-1"), row("R-2"), row("R-3")];
    writeFileSync(path.join(dir, "c.csv"), `${ARCHIVE_HEADER.join(",")}\r\n${archiveLine(one!)}${archiveLine(two!).slice(0, 25)}`);
    const archive = await openArchiveFile(dir, "c.csv");
    archive.add({ ...one!, serialNumber: "r-1" });
    archive.add(two!);
    archive.add(three!);
    archive.add(three!);
    await archive.close();
    expect(archive.written).toBe(2);
    expect(readFileSync(path.join(dir, "c.csv"), "utf8")).toBe(`${ARCHIVE_HEADER.join(",")}\r\n${archiveLine(one!)}${archiveLine(two!)}${archiveLine(three!)}`);
  });

  it("the tap keeps a row only once its outcome says the device is in the tenant, and holds nothing afterwards", async () => {
    const added: string[] = [];
    const tap = new ArchiveTap({ add: (r) => void added.push(r.serialNumber) });
    const location = (line: number) => ({ file: "f.csv", line });
    const source = async function* () {
      yield { status: "valid" as const, location: location(2), device: { serialNumber: "T-1", hardwareIdentifier: makeHash() } };
      yield { status: "valid" as const, location: location(3), device: { serialNumber: "T-2", hardwareIdentifier: makeHash() } };
      yield { status: "valid" as const, location: location(4), device: { serialNumber: "T-3", hardwareIdentifier: makeHash() } };
      yield { status: "invalid" as const, location: location(5), serialNumber: "T-4", code: "hash_missing", message: "no hash" };
    };
    for await (const _ of tap.rows(source())) void _;
    expect(tap.holding).toBe(3);
    const outcome = (line: number, serialNumber: string, status: string) => tap.outcome({ file: "f.csv", line, serialNumber, status } as Parameters<ArchiveTap["outcome"]>[0]);
    outcome(2, "T-1", "imported");
    outcome(3, "T-2", "failed");
    outcome(4, "T-3", "already_registered");
    outcome(5, "T-4", "invalid");
    expect(added).toEqual(["T-1", "T-3"]);
    expect(tap.holding).toBe(0);
  });
});
