import { describe, expect, it } from "vitest";
import { ServiceTraits, type TraitName } from "../../src/graph/service-traits.js";
import type { ImportJournal } from "../../src/pipeline/journal-port.js";
import { journalTraits } from "../../src/pipeline/service-traits-journal.js";

/** The two members journalTraits uses, recording what is written. */
function journalWith(earlier: Array<[TraitName, boolean]>) {
  const written: Array<[TraitName, boolean]> = [];
  const journal = { traits: new Map(earlier), serviceTrait: (name: TraitName, value: boolean) => written.push([name, value]) };
  return { journal: journal as unknown as ImportJournal, written };
}

describe("journalTraits", () => {
  it("restores what earlier processes learned without writing it again", () => {
    const traits = new ServiceTraits();
    const { journal, written } = journalWith([["importIdKept", false]]);
    journalTraits(traits, journal);
    expect(traits.get("importIdKept")).toBe(false);
    expect(written).toEqual([]);
  });

  it("writes what this process knew before (a client shared across inbox files), then each new answer, until stopped", () => {
    const traits = new ServiceTraits();
    traits.learn("selectWorks", false);
    const { journal, written } = journalWith([]);
    const stop = journalTraits(traits, journal);
    traits.learn("hyphenContainsWorks", false);
    traits.learn("hyphenContainsWorks", false); // known already: not written twice
    stop();
    traits.learn("importIdKept", true);
    expect(written).toEqual([
      ["selectWorks", false],
      ["hyphenContainsWorks", false],
    ]);
  });
});
