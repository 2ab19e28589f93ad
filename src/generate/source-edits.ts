/** One insertion into a file's original text. */
interface Insertion {
  readonly at: number;
  readonly text: string;
  readonly order: number;
}

/**
 * Insertions into one file, applied together at the end. Only inserting (never replacing)
 * is how `micro generate` guarantees it cannot rewrite or reformat what the user wrote.
 */
export class FileEdits {
  readonly #insertions: Insertion[] = [];

  constructor(
    readonly path: string,
    readonly original: string | undefined,
  ) {}

  /** Inserts `text` at `at`; insertions at one position keep the order they were made in. */
  insert(at: number, text: string): void {
    this.#insertions.push({ at, text, order: this.#insertions.length });
  }

  get empty(): boolean {
    return this.#insertions.length === 0;
  }

  apply(): string {
    let text = this.original ?? "";
    const sorted = [...this.#insertions].sort((a, b) => b.at - a.at || b.order - a.order);
    for (const { at, text: inserted } of sorted)
      text = text.slice(0, at) + inserted + text.slice(at);
    return text;
  }
}
