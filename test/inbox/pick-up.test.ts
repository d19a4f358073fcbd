/** Taking a file from the inbox: never through a link, never blocked by a FIFO; and the check before its move. */
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, lstatSync, readFileSync, renameSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { changeSince, LINK_REASON, pickUp, releasePicked, type PickedFile } from "../../src/inbox/pick-up.js";
import type { InboxFile } from "../../src/inbox/scan.js";
import { fingerprintFiles, runKey } from "../../src/state/fingerprint.js";
import { makeInbox } from "./helpers.js";

const target = { tenant: "Contoso.onmicrosoft.com", endpoint: "https://graph.example/v1.0" };

function entry(inbox: string, name: string): InboxFile {
  return { name, path: path.join(inbox, name), size: 0, mtimeMs: 0 };
}

async function keyOf(file: string): Promise<string> {
  const [input] = await fingerprintFiles([path.basename(file)], path.dirname(file));
  return runKey([{ sha256: input?.sha256 ?? "" }], target.tenant, target.endpoint);
}

async function picked(inbox: string, root: string, name: string): Promise<PickedFile> {
  const taken = await pickUp(entry(inbox, name), path.join(root, "pickup"));
  if (taken.kind !== "picked") throw new Error(`not picked: ${JSON.stringify(taken)}`);
  return taken.file;
}

describe("pickUp", () => {
  it("gives a regular file a private name on the same inode, which the inbox name can no longer change", async () => {
    const { root, inbox } = makeInbox("pickup");
    writeFileSync(path.join(inbox, "a.csv"), "Serial,Hash\n");
    const file = await picked(inbox, root, "a.csv");
    expect(file.dir).toBe(path.join(root, "pickup"));
    expect(lstatSync(file.path).ino).toBe(statSync(path.join(inbox, "a.csv")).ino);
    // The inbox name swapped for a link afterwards: the private name still reads the file taken.
    renameSync(path.join(inbox, "a.csv"), path.join(root, "elsewhere.csv"));
    symlinkSync("/etc/passwd", path.join(inbox, "a.csv"));
    expect(readFileSync(file.path, "utf8")).toBe("Serial,Hash\n");
    await releasePicked(file);
    expect(existsSync(file.path)).toBe(false);
  });

  it("a link (here one put in after the scan listed a file) is refused, never opened; a FIFO is not a file and does not block", async () => {
    const { root, inbox } = makeInbox("pickup-hostile");
    symlinkSync("/etc/passwd", path.join(inbox, "s.csv"));
    expect(await pickUp(entry(inbox, "s.csv"), path.join(root, "pickup"))).toEqual({ kind: "unreadable", reason: LINK_REASON });
    execFileSync("mkfifo", [path.join(inbox, "f.csv")]);
    expect(await pickUp(entry(inbox, "f.csv"), path.join(root, "pickup"))).toEqual({ kind: "skipped", reason: "notFile" });
    expect(await pickUp(entry(inbox, "gone.csv"), path.join(root, "pickup"))).toEqual({ kind: "skipped", reason: "gone" });
  });
});

describe("changeSince", () => {
  it("null while the name holds what was taken; changed when appended to or replaced by a link; vanished when deleted", async () => {
    const { root, inbox } = makeInbox("recheck");
    const file = path.join(inbox, "a.csv");
    writeFileSync(file, "Serial,Hash\nA,AAAA\n");
    const taken = await picked(inbox, root, "a.csv");
    const key = await keyOf(file);
    expect(changeSince(file, taken, key, target)).toBeNull();
    expect(changeSince(file, taken, "0000000000000000", target), "content other than the run's").toBe("changed");
    appendFileSync(file, "B,BBBB\n");
    expect(changeSince(file, taken, key, target)).toBe("changed");
    unlinkSync(file);
    expect(changeSince(file, taken, key, target)).toBe("vanished");
    symlinkSync(taken.path, file); // a link to the very file taken is still not that file
    expect(changeSince(file, taken, key, target)).toBe("changed");
  });
});
