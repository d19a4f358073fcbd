import type { FileSummary } from "./types.js";

export type Delimiter = "," | ";" | "\t";

const CANDIDATES: readonly Delimiter[] = [",", ";", "\t"];

/**
 * Picks the delimiter of a header line: the candidate that occurs most often outside quotes, `,` on a tie.
 * Excel writes `;` in locales whose decimal separator is a comma; some exports use tabs.
 */
export function detectDelimiter(headerLine: string): Delimiter {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: Delimiter = ",";
  for (const candidate of CANDIDATES) {
    if ((counts.get(candidate) ?? 0) > (counts.get(best) ?? 0)) best = candidate;
  }
  return best;
}

/** How a delimiter is named in messages. */
export function delimiterName(delimiter: Delimiter): string {
  return delimiter === "\t" ? "tab" : `'${delimiter}'`;
}

/** The separator of the first input whose header was read (`,` when none was): what a report uses by default. */
export function inputDelimiter(files: readonly Pick<FileSummary, "delimiter">[]): Delimiter {
  return files.find((file) => file.delimiter !== null)?.delimiter ?? ",";
}
