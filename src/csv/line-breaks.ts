/**
 * How many lines a record's quoted values span beyond its first, counted as csv-parse counts them (every CR and
 * every LF inside a value advances its line counter). csv-parse reports the line a record ends on; this gets the
 * line it starts on. indexOf keeps the common case (no line break) at native speed.
 */
export function countLineBreaks(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    if (field.indexOf("\n") === -1 && field.indexOf("\r") === -1) continue;
    for (let i = 0; i < field.length; i++) {
      const code = field.charCodeAt(i);
      if (code === 10 || code === 13) count++;
    }
  }
  return count;
}
