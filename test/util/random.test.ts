import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/util/random.js";

describe("seededRandom", () => {
  it("seeded PRNG is reproducible and in range", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    for (let index = 0; index < 100; index += 1) {
      const value = a.next();
      expect(value).toBe(b.next());
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      expect(a.between(3, 5)).toBe(b.between(3, 5));
    }
  });
});
