/**
 * A run is keyed by what it imports and where to: the SHA-256 of each input file's content, the tenant and the Graph
 * endpoint. The content is hashed in a pass of its own before anything is read or sent (the key must be known before
 * the first upload), at disk speed and in constant memory; size and mtime are kept for `status` only, because a
 * copy or a touch changes them without changing what would be imported. Standard input cannot be read twice, so it
 * has no fingerprint: an import from `-` is never resumable.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { InputFileError } from "../errors.js";
import type { InputFile } from "./records.js";

/** Hashes each file (in order; `name` is the path as given, resolved against `cwd`). */
export async function fingerprintFiles(names: readonly string[], cwd: string, signal?: AbortSignal): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const name of names) {
    const full = path.resolve(cwd, name);
    const info = await stat(full);
    const hash = createHash("sha256");
    let read = 0;
    // Exactly `size` bytes: what the import reads later (src/csv/open-input.ts), so the key is what is imported.
    if (info.size > 0) {
      await pipeline(createReadStream(full, { start: 0, end: info.size - 1 }), async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) {
          hash.update(chunk);
          read += chunk.length;
        }
      }, { signal });
    }
    const after = await stat(full);
    if (read !== info.size || after.size !== info.size || after.mtimeMs !== info.mtimeMs) throw new InputFileError(name, changedWhileRead(name));
    files.push({ name, path: full, size: info.size, mtimeMs: info.mtimeMs, sha256: hash.digest("hex") });
  }
  return files;
}

const changedWhileRead = (name: string): string =>
  `${name} changed while it was read (is it still being written?): nothing was sent; run the import again once the file is complete`;

/** The tenant as the key sees it: ids and domains are case-insensitive. */
export function normalizeTenant(tenant: string | undefined): string {
  return (tenant ?? "").trim().toLowerCase();
}

/** 16 hex digits of SHA-256 over the files' hashes (in order), the tenant and the endpoint: the journal's name. */
export function runKey(files: readonly Pick<InputFile, "sha256">[], tenant: string, endpoint: string): string {
  const material = JSON.stringify({ v: 1, files: files.map((f) => f.sha256), tenant: normalizeTenant(tenant), endpoint: endpoint.replace(/\/+$/, "").toLowerCase() });
  return createHash("sha256").update(material).digest("hex").slice(0, 16);
}
