/** A few names (files, upload ids) held once each and named by a small index, for compact per-device records. */
export class NameTable {
  readonly #names: string[] = [];
  readonly #index = new Map<string, number>();

  indexOf(name: string): number {
    let index = this.#index.get(name);
    if (index === undefined) {
      index = this.#names.push(name) - 1;
      this.#index.set(name, index);
    }
    return index;
  }

  name(index: number): string {
    return this.#names[index]!;
  }
}
