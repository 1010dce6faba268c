/** Local completion counters: shown, accepted, accepted characters. Stored locally, never sent. */

export interface CounterStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export interface CompletionCounts {
  shown: number;
  accepted: number;
  acceptedChars: number;
}

const KEY = 'onnxAssist.completionCounts';

export class CompletionCounters {
  private counts: CompletionCounts;
  private readonly listeners = new Set<(c: CompletionCounts) => void>();

  constructor(private readonly store: CounterStore) {
    this.counts = { shown: 0, accepted: 0, acceptedChars: 0, ...store.get<CompletionCounts>(KEY) };
  }

  get value(): CompletionCounts {
    return { ...this.counts };
  }

  onChange(l: (c: CompletionCounts) => void): { dispose(): void } {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  }

  shown(): Thenable<void> {
    this.counts.shown++;
    return this.save();
  }

  accepted(chars: number): Thenable<void> {
    this.counts.accepted++;
    this.counts.acceptedChars += chars;
    return this.save();
  }

  private save(): Thenable<void> {
    for (const l of this.listeners) l(this.value);
    return this.store.update(KEY, this.counts);
  }
}
