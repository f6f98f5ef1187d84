// The snapshot format every model serialises to: a JSON header (algorithm, parameters, ids) followed by raw
// typed arrays, so a model with millions of weights loads without parsing text. Layout:
//   "FWRM" | u32 version | u32 header bytes | header JSON (UTF-8) | padding to 8 | array bytes, each 8-aligned
// Numbers are little-endian, as on every platform Node runs on.
import type { SparseRows } from './matrix';
import type { AlgorithmName } from './types';

const MAGIC = 0x4d525746; // "FWRM" read as a little-endian u32
const VERSION = 1;

type NumericArray = Float64Array | Float32Array | Int32Array;
const ARRAY_TYPES = { f64: Float64Array, f32: Float32Array, i32: Int32Array } as const;
type ArrayTag = keyof typeof ARRAY_TYPES;

export interface Snapshot {
  algorithm: AlgorithmName;
  meta: Record<string, unknown>;
  arrays: Record<string, NumericArray>;
}

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

function tagOf(a: NumericArray): ArrayTag {
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Float32Array) return 'f32';
  return 'i32';
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeSnapshot(snapshot: Snapshot): Uint8Array {
  const entries = Object.entries(snapshot.arrays);
  let offset = 0;
  const layout = entries.map(([name, a]) => {
    const entry = { name, type: tagOf(a), length: a.length, offset };
    offset = align8(offset + a.byteLength);
    return entry;
  });
  const header = new TextEncoder().encode(JSON.stringify({ algorithm: snapshot.algorithm, meta: snapshot.meta, arrays: layout }));
  const dataStart = align8(12 + header.length);
  const out = new Uint8Array(dataStart + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  entries.forEach(([, a], k) => {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), dataStart + layout[k]!.offset);
  });
  return out;
}

export function decodeSnapshot(buf: Uint8Array): Snapshot {
  if (buf.length < 12) throw new SnapshotError('not a model snapshot: too short');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new SnapshotError('not a model snapshot: bad magic');
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new SnapshotError(`unsupported snapshot version ${version}`);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(buf.subarray(12, 12 + headerLength))) as {
    algorithm: AlgorithmName;
    meta: Record<string, unknown>;
    arrays: Array<{ name: string; type: ArrayTag; length: number; offset: number }>;
  };
  const dataStart = align8(12 + headerLength);
  const arrays: Record<string, NumericArray> = {};
  for (const { name, type, length, offset } of header.arrays) {
    const Ctor = ARRAY_TYPES[type];
    if (!Ctor) throw new SnapshotError(`unknown array type ${type}`);
    const start = dataStart + offset;
    const bytes = length * Ctor.BYTES_PER_ELEMENT;
    if (start + bytes > buf.length) throw new SnapshotError(`array ${name} runs past the end of the snapshot`);
    // Copy: a Buffer from a pool or a file read need not be aligned for a typed-array view.
    const copy = new Ctor(length);
    new Uint8Array(copy.buffer).set(buf.subarray(start, start + bytes));
    arrays[name] = copy;
  }
  return { algorithm: header.algorithm, meta: header.meta, arrays };
}

/** Typed accessors for a snapshot a family reads back; a missing or mistyped field is a SnapshotError. */
export function snapshotArray<T extends NumericArray>(s: Snapshot, name: string, ctor: new (n: number) => T): T {
  const a = s.arrays[name];
  if (!(a instanceof ctor)) throw new SnapshotError(`${s.algorithm} snapshot lacks array ${name}`);
  return a;
}

/** The arrays of an item×item similarity (SAR, item k-NN), under the names `sparseRowsFrom` reads back. */
export function sparseRowsArrays(rows: SparseRows): Record<string, NumericArray> {
  return { indptr: rows.indptr, indices: rows.indices, values: rows.values };
}

export function sparseRowsFrom(s: Snapshot): SparseRows {
  const indptr = snapshotArray(s, 'indptr', Int32Array);
  return { rows: indptr.length - 1, indptr, indices: snapshotArray(s, 'indices', Int32Array), values: snapshotArray(s, 'values', Float32Array) };
}

export function expectAlgorithm(s: Snapshot, algorithm: AlgorithmName): void {
  if (s.algorithm !== algorithm) throw new SnapshotError(`expected a ${algorithm} snapshot, got ${s.algorithm}`);
}

/** A fitted family's snapshot: its params and item ids in meta, then `meta`'s own fields, and its arrays. */
export function encodeModel(
  model: { algorithm: AlgorithmName; params: object },
  items: readonly string[],
  arrays: Record<string, NumericArray>,
  meta: Record<string, unknown> = {},
): Uint8Array {
  return encodeSnapshot({ algorithm: model.algorithm, meta: { params: model.params, items, ...meta }, arrays });
}

/** A family's snapshot read back (encodeModel): checked to be of `algorithm`, with its params, items and their index. */
export function decodeModel<P>(buf: Uint8Array, algorithm: AlgorithmName): { snap: Snapshot; params: P; items: string[]; itemIndex: Map<string, number> } {
  const snap = decodeSnapshot(buf);
  expectAlgorithm(snap, algorithm);
  const items = snap.meta.items as string[];
  return { snap, params: snap.meta.params as P, items, itemIndex: new Map(items.map((id, i) => [id, i])) };
}
