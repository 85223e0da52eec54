/** A listener of one kind of event. */
export type Listener<E> = (event: E) => void;

/** The subscribing half of a bus: what its owner hands out, so that only the owner emits. */
export type Subscribable<M> = {
  /** Adds `fn` for events of `kind`; returns the function that removes it. */
  on<K extends keyof M>(kind: K, fn: Listener<M[K]>): () => void;
  off<K extends keyof M>(kind: K, fn: Listener<M[K]>): void;
};

/**
 * A typed, synchronous event bus: `M` maps each kind of event to its payload. Listeners run in
 * the order they subscribed; one that throws is reported to `onError` and the others still
 * run, so a failing subscriber never breaks the emitter (Graphile Worker's typed event map,
 * without Node's EventEmitter and its untyped names).
 */
export class EventBus<M> implements Subscribable<M> {
  private readonly listeners = new Map<keyof M, Set<Listener<never>>>();

  constructor(private readonly onError: (err: unknown, kind: keyof M) => void) {}

  on<K extends keyof M>(kind: K, fn: Listener<M[K]>): () => void {
    let set = this.listeners.get(kind);
    if (!set) this.listeners.set(kind, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => this.off(kind, fn);
  }

  off<K extends keyof M>(kind: K, fn: Listener<M[K]>): void {
    this.listeners.get(kind)?.delete(fn as Listener<never>);
  }

  emit<K extends keyof M>(kind: K, event: M[K]): void {
    const set = this.listeners.get(kind);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<M[K]>)(event);
      } catch (err) {
        this.onError(err, kind);
      }
    }
  }

  /** Listeners of `kind` now (tests: every subscription has an owner that ends it). */
  listenerCount(kind: keyof M): number {
    return this.listeners.get(kind)?.size ?? 0;
  }
}
