/**
 * What the run has learned about the real service where Microsoft's documentation is silent (see the README's
 * "Where the docs are silent"): each answer is learned once, told to listeners (the journal records it, so a resumed
 * run knows too) and then relied on for the rest of the run.
 */

export type TraitName =
  /** Whether `$select` works on the Autopilot collections (it has answered 500 on the real service). */
  | "selectWorks"
  /** Whether `contains(serialNumber,'…')` accepts a value with a hyphen (it has answered 400). */
  | "hyphenContainsWorks"
  /** Whether staged records keep the importId we send (a public report shows importId = the record's own id). */
  | "importIdKept";

export const TRAIT_NAMES: readonly TraitName[] = ["selectWorks", "hyphenContainsWorks", "importIdKept"];

/** What the tool does once it learns that the service does not do a thing: the log line that says so. */
export const TRAIT_LESSONS: Readonly<Record<TraitName, string>> = {
  selectWorks: "the service fails requests that carry $select: sending none for the rest of the run (answers are larger, nothing else changes)",
  hyphenContainsWorks:
    "the service refuses contains(serialNumber) with a hyphen: such serials are looked up by their longest hyphen-free part, or by listing when every part is short, and matched exactly here",
  importIdKept:
    "the service does not keep the importId we send: devices are polled by their staged ids, and a lost answer is reconciled by serial number against the staged records that existed before the run (never resent blind)",
};

export type TraitListener = (name: TraitName, value: boolean) => void;

export class ServiceTraits {
  readonly #values = new Map<TraitName, boolean>();
  readonly #listeners = new Set<TraitListener>();

  /** The learned answer, or undefined while unknown. */
  get(name: TraitName): boolean | undefined {
    return this.#values.get(name);
  }

  /** Unknown counts as working: we only stop relying on a feature once the service has shown it does not work. */
  works(name: TraitName): boolean {
    return this.#values.get(name) !== false;
  }

  /** Records an answer; listeners hear of it only when it is new or changed. */
  learn(name: TraitName, value: boolean): void {
    if (this.#values.get(name) === value) return;
    this.#values.set(name, value);
    for (const listener of this.#listeners) listener(name, value);
  }

  /** Answers an earlier process learned (from the journal): set silently, they are recorded already. */
  restore(values: ReadonlyMap<TraitName, boolean>): void {
    for (const [name, value] of values) this.#values.set(name, value);
  }

  /** Every answer learned so far. */
  snapshot(): ReadonlyMap<TraitName, boolean> {
    return new Map(this.#values);
  }

  /** Subscribes; returns the unsubscribe function. */
  onLearn(listener: TraitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
