/** How far apart two words are, and which known word a mistyped one most likely meant (a "did you mean" hint). */

/** Levenshtein distance: insertions, deletions and substitutions, each costing 1. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `word` (case and the characters `-`/`_` ignored, so `batchsize` finds `batch-size`), when
 * it is close enough to be a typo: at most a third of the word's length, and at least 1. Ties go to the first listed.
 */
export function nearestWord(word: string, candidates: Iterable<string>): string | undefined {
  const squash = (s: string): string => s.toLowerCase().replace(/[-_]/g, "");
  const target = squash(word);
  if (target === "") return undefined;
  const limit = Math.max(1, Math.floor(target.length / 3));
  let best: { word: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(target, squash(candidate));
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { word: candidate, distance };
  }
  return best?.word;
}
