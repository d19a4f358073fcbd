/** Keeps the journal in step with what the run learns of the service, so a resumed run starts from the same answers. */
import type { ServiceTraits } from "../graph/service-traits.js";
import type { ImportJournal } from "./journal-port.js";

/**
 * Restores what earlier processes learned, records what this process already knew (a client shared across inbox
 * files), and journals each new answer. Returns the unsubscribe function.
 */
export function journalTraits(traits: ServiceTraits, journal: ImportJournal): () => void {
  traits.restore(journal.traits);
  for (const [name, value] of traits.snapshot()) if (journal.traits.get(name) !== value) journal.serviceTrait(name, value);
  return traits.onLearn((name, value) => journal.serviceTrait(name, value));
}
