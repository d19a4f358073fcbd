import { hash } from "node:crypto";

/** How the emulator keeps a staged record's hardware hash (scenario `limits.hashStorage`). */
export type HashStorage = "full" | "digest";

/** Marks a kept digest: never a base64 character, so a digest and a hash kept in full never compare equal. */
const DIGEST_MARK = 0x23; // "#"
/** 120 bits of SHA-1: the kept string is 16 one-byte characters (32 bytes held); collisions are out of reach. */
const DIGEST_BYTES = 15;

/**
 * What a record keeps of a (validated) hash: in full mode the hash itself; in digest mode "#" plus a SHA-1 digest
 * of it, a flat 16-character string (32 bytes held instead of ~4 KB) that is enough to tell equal hashes apart.
 * Null and "" are kept as they are, so a missing hash still ends 802 in both modes.
 */
export function keepHash(value: string | null, storage: HashStorage): string | null {
  if (value === null || value === "" || storage === "full") return value;
  const kept = Buffer.allocUnsafe(1 + DIGEST_BYTES);
  kept[0] = DIGEST_MARK;
  hash("sha1", value, "buffer").copy(kept, 1, 0, DIGEST_BYTES);
  return kept.toString("latin1");
}

/** Whether `kept` is a digest (digest mode) rather than the hash itself. */
export const isDigest = (kept: string): boolean => kept.charCodeAt(0) === DIGEST_MARK;

/** A form of a kept hash that compares equal for equal hashes whichever mode kept each (the mode can change between two). */
export const comparableHash = (kept: string): string => (isDigest(kept) ? kept : (keepHash(kept, "digest") as string));

/**
 * The hash as Graph shows it. A digest cannot be turned back into the hash: the record reads back with an empty
 * hardwareIdentifier, as a real create response did in a public 2023 report (docs/autopilot-graph.md §7), so a
 * client must never depend on reading the hash back.
 */
export const shownHash = (kept: string | null): string | null => (kept !== null && isDigest(kept) ? "" : kept);
