/** Staged record ids as Graph gives them (lowercase GUIDs), packed into four 32-bit words and back: 16 bytes, not a string. */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const scratch = new Uint32Array(4);

/** A lowercase GUID's 128 bits as four words (in a shared scratch array), or undefined for any other id. */
export function guidWords(id: string): Uint32Array | undefined {
  if (id.length !== 36 || !GUID.test(id)) return undefined;
  scratch[0] = Number.parseInt(id.slice(0, 8), 16);
  scratch[1] = Number.parseInt(id.slice(9, 13) + id.slice(14, 18), 16);
  scratch[2] = Number.parseInt(id.slice(19, 23) + id.slice(24, 28), 16);
  scratch[3] = Number.parseInt(id.slice(28, 36), 16);
  return scratch;
}

/** The GUID stored at `at` in `words`, as text. */
export function guidText(words: Uint32Array, at: number): string {
  const hex = [0, 1, 2, 3].map((i) => words[at + i]!.toString(16).padStart(8, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
