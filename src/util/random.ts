/** A small seeded PRNG (mulberry32): faults and processing spread must be reproducible from a scenario's seed. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (min, max) => (max <= min ? min : min + Math.floor(next() * (max - min + 1))),
  };
}

/** A seeded Fisher–Yates shuffle: a new array, the input untouched. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let index = out.length - 1; index > 0; index -= 1) {
    const other = random.between(0, index);
    [out[index], out[other]] = [out[other] as T, out[index] as T];
  }
  return out;
}
