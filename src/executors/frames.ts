// The wire format between a ProcessPoolExecutor and its children: length-prefixed frames on a
// socket of their own (a stdio pipe beside Node's IPC channel, which then only carries the
// lifecycle). A frame is [u32 LE: length of what follows][u8 kind][body]; kind JSON (UTF-8 text)
// or V8 (v8.serialize, the structured-clone algorithm Node's 'advanced' IPC uses).
//
// Why: Node's 'advanced' IPC builds a V8 serializer and deserializer for every message, which
// cost a small task's round trip several microseconds more than JSON. Here a message goes as JSON
// whenever JSON gives back exactly what V8 would (most task arguments and results: numbers,
// strings, plain arrays and objects), and as V8 otherwise (typed arrays, Maps, Dates, -0, shared
// references...), so 'advanced' keeps its meaning and big binary data stays binary.
import v8 from 'node:v8';

const KIND_JSON = 0;
const KIND_V8 = 1;
const HEADER_BYTES = 5;

/** Deeper than this, or wider (an array or object with more entries), a message goes as V8: the check stays cheap. */
const MAX_DEPTH = 32;
const MAX_ENTRIES = 4096;

/**
 * Whether JSON.parse(JSON.stringify(value)) gives back what v8.deserialize(v8.serialize(value))
 * would. False for anything JSON changes or drops (undefined, NaN, ±Infinity, -0, BigInt,
 * functions, symbols, holes, non-plain objects, symbol or extra array keys, an object met twice),
 * and for values too deep or wide to check cheaply.
 */
export function jsonIsExact(value: unknown): boolean {
  let seen: Set<object> | undefined;
  let budget = MAX_ENTRIES;
  const exact = (v: unknown, depth: number): boolean => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return true;
      case 'number':
        return Number.isFinite(v) && !Object.is(v, -0);
      case 'object':
        break;
      default:
        return false;
    }
    if (v === null) return true;
    if (depth >= MAX_DEPTH) return false;
    const o = v as object;
    // JSON would make two copies of an object the message holds twice; V8 keeps one.
    seen ??= new Set();
    if (seen.has(o)) return false;
    seen.add(o);
    if (Array.isArray(o)) {
      if (Object.getPrototypeOf(o) !== Array.prototype) return false;
      const a = o as unknown[];
      if ((budget -= a.length) < 0) return false;
      for (let i = 0; i < a.length; i++) if (!(i in a) || !exact(a[i], depth + 1)) return false;
      // Named properties on an array: V8 keeps them, JSON drops them.
      return Object.keys(a).length === a.length && Object.getOwnPropertySymbols(a).length === 0;
    }
    const proto = Object.getPrototypeOf(o) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    if (Object.getOwnPropertySymbols(o).length > 0) return false;
    const keys = Object.keys(o);
    if ((budget -= keys.length) < 0) return false;
    for (const key of keys) if (!exact((o as Record<string, unknown>)[key], depth + 1)) return false;
    return true;
  };
  try {
    return exact(value, 0);
  } catch {
    return false; // a getter or proxy trap that throws: V8 will say what is wrong
  }
}

/**
 * One message as a frame. `json`: the channel carries JSON only (serialization 'json', whose
 * messages were checked before); otherwise JSON when exact, else V8. Throws (sending nothing) if
 * the message cannot be serialized.
 */
export function encodeFrame(message: unknown, json: boolean): Buffer {
  if (json || jsonIsExact(message)) {
    const text = JSON.stringify(message);
    const bytes = Buffer.byteLength(text);
    const frame = Buffer.allocUnsafe(HEADER_BYTES + bytes);
    frame.writeUInt32LE(bytes + 1, 0);
    frame[4] = KIND_JSON;
    frame.write(text, HEADER_BYTES, 'utf8');
    return frame;
  }
  const body = v8.serialize(message);
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(body.length + 1, 0);
  header[4] = KIND_V8;
  return Buffer.concat([header, body]);
}

/** Reassembles frames from the chunks a socket delivers, in order (a big frame is copied once). */
export class FrameReader {
  #chunks: Buffer[] = [];
  #size = 0;

  /** Calls `deliver` with each message completed by `chunk`; throws on a corrupt frame. */
  push(chunk: Buffer, deliver: (message: unknown) => void): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size >= HEADER_BYTES) {
      if (this.#chunks[0]!.length < HEADER_BYTES) this.#merge();
      const end = 4 + this.#chunks[0]!.readUInt32LE(0);
      if (this.#size < end) return;
      if (this.#chunks[0]!.length < end) this.#merge();
      const head = this.#chunks[0]!;
      const body = head.subarray(HEADER_BYTES, end);
      const kind = head[4];
      if (head.length === end) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(end);
      this.#size -= end;
      if (kind === KIND_JSON) deliver(JSON.parse(body.toString('utf8')));
      else if (kind === KIND_V8) deliver(v8.deserialize(body));
      else throw new Error(`corrupt frame from a worker: unknown kind ${kind}`);
    }
  }

  #merge(): void {
    this.#chunks = [Buffer.concat(this.#chunks, this.#size)];
  }
}
