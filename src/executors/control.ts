// The control block of one worker: per task slot, a state cell (pending / running / cancelled) and
// an abort flag, in memory both sides see. It lets cancel() take back a task that was sent to a
// worker but has not started (the worker claims a slot with compare-and-swap before running it),
// and lets abort() reach a task that is busy in native code and reads no messages.
//
// Threads share a SharedArrayBuffer (JavaScript Atomics); processes share a SharedMemory segment
// (native atomics: a mapping cannot be a SharedArrayBuffer).

import type { SharedMemory } from '../shared-memory.js';
import { CONTROL_CELLS_PER_SLOT } from './protocol.js';

export interface ControlCells {
  load(index: number): number;
  store(index: number, value: number): void;
  /** Returns the old value. */
  compareExchange(index: number, expected: number, replacement: number): number;
  /** An Int32Array of length 1 over one cell: the abort flag native kernels poll. */
  cellView(index: number): Int32Array;
  /** An Int32Array over every cell (written and read by the owning thread only, without atomics). */
  allCells(): Int32Array;
  /** The block's size in bytes. */
  readonly byteLength: number;
}

/** The cell of a task slot's state (SLOT_FREE, SLOT_PENDING, SLOT_RUNNING, SLOT_CANCELLED). */
export function slotStateCell(slot: number): number {
  return slot * CONTROL_CELLS_PER_SLOT;
}

/** The cell of a task slot's abort flag (nonzero: stop), polled by native kernels between slices. */
export function slotAbortCell(slot: number): number {
  return slot * CONTROL_CELLS_PER_SLOT + 1;
}

/**
 * The slots' cells, then the current-task cell (the worker writes slot + 1 there while a task runs,
 * 0 otherwise: the C extension API's current_abort_flag() reads it), then one doorbell cell (rung
 * by the executor after each message to a thread).
 */
export function controlBytes(slots: number): number {
  return (slots * CONTROL_CELLS_PER_SLOT + 2) * Int32Array.BYTES_PER_ELEMENT;
}

export function doorbellCell(byteLength: number): number {
  return byteLength / Int32Array.BYTES_PER_ELEMENT - 1;
}

export function currentTaskCell(byteLength: number): number {
  return byteLength / Int32Array.BYTES_PER_ELEMENT - 2;
}

export function sharedArrayCells(buffer: SharedArrayBuffer): ControlCells {
  const cells = new Int32Array(buffer);
  return {
    load: (i) => Atomics.load(cells, i),
    store: (i, v) => void Atomics.store(cells, i, v),
    compareExchange: (i, e, r) => Atomics.compareExchange(cells, i, e, r),
    cellView: (i) => new Int32Array(buffer, i * Int32Array.BYTES_PER_ELEMENT, 1),
    allCells: () => cells,
    byteLength: buffer.byteLength,
  };
}

export function sharedMemoryCells(shm: SharedMemory): ControlCells {
  return {
    load: (i) => shm.atomicLoad(i),
    store: (i, v) => void shm.atomicStore(i, v),
    compareExchange: (i, e, r) => shm.atomicCompareExchange(i, e, r),
    cellView: (i) => shm.view(Int32Array, i * Int32Array.BYTES_PER_ELEMENT, 1),
    allCells: () => shm.view(Int32Array),
    byteLength: shm.size,
  };
}
