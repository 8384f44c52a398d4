// A FIFO queue for hot paths (the executor's task queue, a worker's local queue, map()'s results):
// an array read from a head index, because Array.prototype.shift() copies the whole array on every
// call. The consumed front is cut off once it is both large and at least half of the array, so a
// queue that never runs dry neither grows without bound nor pays for a copy on every take.

/** The consumed front is cut off once it holds at least this many entries (and half the array). */
const COMPACT_AFTER = 4096;

export class WorkQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** Entries not yet taken. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** Puts `items` back at the front, in their order (a dead worker's unstarted tasks). */
  pushFront(items: readonly T[]): void {
    if (items.length === 0) return;
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#head = 0;
  }

  /** The next entry without taking it. */
  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  /** Takes the next entry, or undefined when empty. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) {
      if (this.#head > 0) this.clear();
      return undefined;
    }
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined; // let it be collected
    if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }

  /** The entries not yet taken, oldest first (without taking them). */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i] as T;
  }
}
