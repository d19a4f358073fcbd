/** The run's input files as the journal numbers them: records carry a file's index, the pipeline carries its name. */
import { StateError } from "../errors.js";
import type { SourceLocation } from "../model/device.js";

export class RunInputs {
  readonly #names: readonly string[];
  /** Input name (as the reader reports it) → index in the run's files; the first of equal names wins. */
  readonly #index = new Map<string, number>();

  constructor(names: readonly string[]) {
    this.#names = names;
    names.forEach((name, i) => {
      if (!this.#index.has(name)) this.#index.set(name, i);
    });
  }

  /** The index of an input by name; undefined when it is not an input of the run. */
  find(name: string): number | undefined {
    return this.#index.get(name);
  }

  /** The index of a row's file, which must be an input of the run. */
  indexOf(location: { readonly file: string }): number {
    const index = this.#index.get(location.file);
    if (index === undefined) throw new StateError(`row from '${location.file}', which is not an input of this run`);
    return index;
  }

  /** The name of an input by index (the index itself when the run has no such input). */
  nameOf(file: number): string {
    return this.#names[file] ?? String(file);
  }

  location(file: number, line: number): SourceLocation {
    return { file: this.nameOf(file), line };
  }
}
