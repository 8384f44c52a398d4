// transfer(value, list): marks an argument (or a task's return value) whose buffers should be
// moved to the other thread instead of copied. For processes there is nothing to move: the value
// is serialized as usual.

import type { TransferListItem } from 'node:worker_threads';

const kTransfer = Symbol.for('gil-lab.executors.transfer');

interface TransferMarker {
  readonly [kTransfer]: true;
  readonly value: unknown;
  readonly list: readonly TransferListItem[];
}

function defaultList(value: unknown): TransferListItem[] {
  if (value instanceof ArrayBuffer) return [value];
  if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) return [value.buffer];
  throw new TypeError('transfer(value): without a transfer list, value must be an ArrayBuffer or a view of one');
}

/**
 * Wraps a value so that `list` (default: the value's own ArrayBuffer) is transferred, not copied,
 * to the worker — as an argument of submit() — or back — as a task's return value. The sender's
 * buffers are detached afterwards. The typed result lets it stand in for the value itself.
 */
export function transfer<T>(value: T, list?: readonly TransferListItem[]): T {
  if (list !== undefined && !Array.isArray(list)) throw new TypeError('transfer(value, list): list must be an array');
  const marker: TransferMarker = { [kTransfer]: true, value, list: list ?? defaultList(value) };
  return marker as unknown as T;
}

export function isTransferMarker(value: unknown): value is TransferMarker {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kTransfer] === true;
}

/** Replaces top-level markers in args by their values; returns the transfer list (or undefined). */
export function unwrapTransfers(args: unknown[]): TransferListItem[] | undefined {
  let list: TransferListItem[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (isTransferMarker(arg)) {
      args[i] = arg.value;
      (list ??= []).push(...arg.list);
    }
  }
  return list;
}
