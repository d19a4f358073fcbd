/** Which inbox files are taken, in which order. */
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { byAge, scanInbox, skipByName } from "../../src/inbox/scan.js";
import { makeInbox } from "./helpers.js";

describe("skipByName", () => {
  it("takes .csv and .tsv in any case", () => {
    for (const name of ["devices.csv", "DEVICES.CSV", "hashes.tsv", "a.b.Csv"]) expect(skipByName(name), name).toBeUndefined();
  });

  it("leaves hidden and lock files, names of files being written, and other extensions", () => {
    expect(skipByName(".devices.csv")).toBe("hidden");
    expect(skipByName("~$devices.csv")).toBe("hidden");
    for (const name of ["devices.csv.partial", "devices.csv.part", "devices.csv.filepart", "devices.csv.tmp", "devices.csv.crdownload", "x.TMP"]) expect(skipByName(name), name).toBe("partial");
    for (const name of ["devices.txt", "devices.xlsx", "README", "devices.csv.bak"]) expect(skipByName(name), name).toBe("extension");
  });
});

describe("byAge", () => {
  it("orders by mtime, then by name in code point order", () => {
    const files = [
      { name: "b.csv", mtimeMs: 2 },
      { name: "a.csv", mtimeMs: 2 },
      { name: "z.csv", mtimeMs: 1 },
      { name: "B.csv", mtimeMs: 2 },
    ];
    expect(files.sort(byAge).map((f) => f.name)).toEqual(["z.csv", "B.csv", "a.csv", "b.csv"]);
  });
});

describe("scanInbox", () => {
  it("lists candidates oldest first with size and mtime, and what it leaves", async () => {
    const { inbox } = makeInbox("scan");
    const now = Date.now();
    const write = (name: string, ageMs: number, text = "x"): void => {
      writeFileSync(path.join(inbox, name), text);
      utimesSync(path.join(inbox, name), new Date(now - ageMs), new Date(now - ageMs));
    };
    write("new.csv", 1_000);
    write("old.csv", 90_000, "hello");
    write("same-b.csv", 30_000);
    write("same-a.tsv", 30_000);
    write("upload.csv.partial", 90_000);
    write(".hidden.csv", 90_000);
    write("readme.txt", 90_000);
    mkdirSync(path.join(inbox, "folder.csv"));
    const scan = await scanInbox(inbox);
    expect(scan.files.map((f) => f.name)).toEqual(["old.csv", "same-a.tsv", "same-b.csv", "new.csv"]);
    expect(scan.files[0]).toMatchObject({ path: path.join(inbox, "old.csv"), size: 5 });
    expect(scan.skipped).toEqual([
      { name: ".hidden.csv", reason: "hidden" },
      { name: "folder.csv", reason: "notFile" },
      { name: "readme.txt", reason: "extension" },
      { name: "upload.csv.partial", reason: "partial" },
    ]);
  });
});

describe("scanInbox and links", () => {
  it("lists a symbolic link as one (never followed, whatever it points to), a link to a folder too; a folder is not a file", async () => {
    const { root, inbox } = makeInbox("scan-links");
    writeFileSync(path.join(root, "target.csv"), "Serial,Hash\n");
    writeFileSync(path.join(inbox, "real.csv"), "Serial,Hash\n");
    symlinkSync(path.join(root, "target.csv"), path.join(inbox, "to-file.csv"));
    symlinkSync(root, path.join(inbox, "to-folder.csv"));
    symlinkSync(path.join(root, "missing"), path.join(inbox, "dangling.csv"));
    symlinkSync(path.join(root, "target.csv"), path.join(inbox, "to-file.txt"));
    mkdirSync(path.join(inbox, "folder.csv"));
    const scan = await scanInbox(inbox);
    expect(scan.files.map((f) => f.name)).toEqual(["real.csv"]);
    expect(scan.links.map((f) => f.name).sort()).toEqual(["dangling.csv", "to-file.csv", "to-folder.csv"]);
    expect(scan.skipped).toEqual([
      { name: "folder.csv", reason: "notFile" },
      { name: "to-file.txt", reason: "extension" },
    ]);
  });
});
