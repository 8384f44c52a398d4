// SharedMemory: named memory shared between processes (POSIX shm_open + mmap), modelled on
// Python's multiprocessing.shared_memory.SharedMemory. One process creates a segment; any other
// process (e.g. a ProcessPoolExecutor child) attaches to it by name and sees the same bytes, with
// no copy. Threads do not need it: a SharedArrayBuffer already is shared between them.
//
// Lifetime: create() reserves the memory, so a full /dev/shm is an ENOSPC error then, not a SIGBUS
// at the first write. close() detaches `buffer`, so every typed array over it reads as empty from
// then on (no crash, no stale memory), and unmaps the segment at once. unlink() removes the name;
// the memory goes away when every process has closed it. As in Python, exactly one process should
// unlink a segment, typically the one that created it. Segments this process created and has not
// unlinked are unlinked when it exits and on SIGINT/SIGTERM (see ./shared-memory-cleanup.ts).

import { Buffer, constants as bufferConstants } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { native } from './native.js';
import type { SharedMemoryHandle } from './native-types.js';
import { forgetCreated, rememberCreated } from './shared-memory-cleanup.js';

export type { SharedMemoryHandle };

export interface SharedMemoryOptions {
  /** The segment's name, without or with the leading '/'; generated when creating without one. */
  name?: string;
  /** Create a new segment (the name must be free) rather than attach to an existing one. */
  create?: boolean;
  /**
   * With create: whether this process unlinks the segment when it exits or dies of SIGINT/SIGTERM
   * without having unlinked it (default true; as Python 3.13's `track`). false for a segment meant
   * to outlive its creator.
   */
  track?: boolean;
  /** Bytes; required when creating. Attaching takes the segment's size. */
  size?: number;
}

type TypedArrayConstructor<T> = {
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

/** The longest name in bytes of UTF-8 (what shm_open sees), the leading '/' aside. */
export const MAX_NAME_BYTES = 254;

function shortened(name: string): string {
  return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
}

function posixName(name: string): string {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (bare === '.' || bare === '..') {
    throw new RangeError(
      `name ${JSON.stringify(name)} is not a segment name: '.' and '..' are the directory that holds the segments and its parent`,
    );
  }
  const bytes = Buffer.byteLength(bare, 'utf8');
  if (bytes === 0 || bytes > MAX_NAME_BYTES) {
    throw new RangeError(
      `name must be 1 to ${MAX_NAME_BYTES} bytes of UTF-8 (an optional leading '/' aside), got ${shortened(name)}, ${bytes} bytes`,
    );
  }
  if (bare.includes('/') || bare.includes('\0')) {
    throw new RangeError(`name must not contain '/' (but a leading one) or NUL, got ${shortened(name)}`);
  }
  return `/${bare}`;
}

/** Every mapping's ArrayBuffer: the executors warn when one is sent where it would be copied. */
const mappingBuffers = new WeakSet<ArrayBufferLike>();

/** Whether `buffer` is the memory of a SharedMemory segment (the buffer of shm.buffer or shm.view()). */
export function isSharedMemoryBuffer(buffer: ArrayBufferLike): boolean {
  return mappingBuffers.has(buffer);
}

export class SharedMemory {
  readonly #handle: SharedMemoryHandle;
  readonly #name: string;

  /**
   * `new SharedMemory({ create: true, size })` makes a segment (name generated unless given);
   * `new SharedMemory({ name })` attaches to an existing one.
   */
  constructor(options: SharedMemoryOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const { name, create = false, size, track = true } = options;
    if (typeof create !== 'boolean') throw new TypeError(`options.create must be a boolean, got ${typeof create}`);
    if (typeof track !== 'boolean') throw new TypeError(`options.track must be a boolean, got ${typeof track}`);
    if (name !== undefined && typeof name !== 'string')
      throw new TypeError(`options.name must be a string, got ${typeof name}`);
    if (create) {
      if (typeof size !== 'number') throw new TypeError(`options.size must be a number of bytes, got ${typeof size}`);
      if (!Number.isSafeInteger(size) || size <= 0)
        throw new RangeError(`options.size must be a positive integer, got ${size}`);
      if (size > bufferConstants.MAX_LENGTH)
        throw new RangeError(
          `options.size must be at most ${bufferConstants.MAX_LENGTH} bytes (buffer.constants.MAX_LENGTH), got ${size}`,
        );
      const posix = posixName(name ?? `gil_lab_${process.pid}_${randomBytes(6).toString('hex')}`);
      this.#handle = new native.SharedMemoryHandle('create', posix, size);
      if (track) rememberCreated(posix);
    } else {
      if (name === undefined) throw new TypeError('options.name is required to attach to a segment');
      if (size !== undefined)
        throw new TypeError("options.size is only for create: true (attaching takes the segment's size)");
      if (options.track !== undefined) throw new TypeError('options.track is only for create: true');
      this.#handle = new native.SharedMemoryHandle('attach', posixName(name));
    }
    this.#name = this.#handle.name.slice(1);
  }

  /** Creates a new segment of `size` bytes, zero-filled. */
  static create(size: number, options: { name?: string; track?: boolean } = {}): SharedMemory {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    return new SharedMemory({ create: true, size, name: options.name, track: options.track });
  }

  /** Attaches to an existing segment by name. */
  static attach(name: string): SharedMemory {
    return new SharedMemory({ name });
  }

  /** Removes a segment's name without attaching to it. */
  static unlink(name: string): void {
    if (typeof name !== 'string') throw new TypeError(`name must be a string, got ${typeof name}`);
    const posix = posixName(name);
    forgetCreated(posix);
    native.shmUnlink(posix);
  }

  /** The name to give other processes (without the leading '/', as Python's .name). */
  get name(): string {
    return this.#name;
  }

  get size(): number {
    return this.#handle.size;
  }

  get closed(): boolean {
    return this.#handle.closed;
  }

  /** The mapped bytes, without copy. Throws once closed. */
  get buffer(): ArrayBuffer {
    const buffer = this.#handle.buffer;
    mappingBuffers.add(buffer);
    return buffer;
  }

  /** A typed array over the segment, e.g. `shm.view(Float64Array)`. */
  view<T>(Ctor: TypedArrayConstructor<T>, byteOffset = 0, length?: number): T {
    if (typeof Ctor !== 'function' || typeof Ctor.BYTES_PER_ELEMENT !== 'number') {
      throw new TypeError('Ctor must be a typed array constructor such as Float64Array');
    }
    if (!Number.isSafeInteger(byteOffset) || byteOffset < 0 || byteOffset % Ctor.BYTES_PER_ELEMENT !== 0) {
      throw new RangeError(
        `byteOffset must be a non-negative multiple of ${Ctor.BYTES_PER_ELEMENT}, got ${byteOffset}`,
      );
    }
    const available = Math.floor((this.size - byteOffset) / Ctor.BYTES_PER_ELEMENT);
    if (byteOffset > this.size)
      throw new RangeError(`byteOffset ${byteOffset} is past the segment's ${this.size} bytes`);
    const count = length ?? available;
    if (!Number.isSafeInteger(count) || count < 0 || count > available) {
      throw new RangeError(`length must be an integer between 0 and ${available}, got ${length}`);
    }
    return new Ctor(this.buffer, byteOffset, count);
  }

  // Sequentially consistent atomics on int32 cell `index` (byte offset 4 * index) that work across
  // processes. (JavaScript's Atomics need a SharedArrayBuffer, which a mapping cannot be.)

  atomicLoad(index: number): number {
    return this.#handle.load(index);
  }
  atomicStore(index: number, value: number): number {
    return this.#handle.store(index, value);
  }
  /** Returns the old value; stores `replacement` only if the old value was `expected`. */
  atomicCompareExchange(index: number, expected: number, replacement: number): number {
    return this.#handle.compareExchange(index, expected, replacement);
  }
  /** Returns the old value. */
  atomicAdd(index: number, delta: number): number {
    return this.#handle.add(index, delta);
  }

  /**
   * Unmaps this process's view now; other processes keep theirs. Views made before become detached
   * (length 0). Do not close while an asynchronous operation (e.g. an fs write) reads a view. Idempotent.
   */
  close(): void {
    this.#handle.close();
  }

  /** Removes the segment's name (call it once, from one process). This mapping stays usable. */
  unlink(): void {
    forgetCreated(`/${this.#name}`);
    native.shmUnlink(`/${this.#name}`);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
