import { at, atU8 } from '../util/at';
/**
 * A restricted reader for Python pickles (protocols 2-5) that builds plain values and never runs code.
 *
 * A real unpickler calls whatever the pickle names (GLOBAL + REDUCE can run `os.system`), which is why
 * `torch.load` of an untrusted checkpoint is dangerous. This reader interprets the opcodes itself, builds
 * only containers and numbers, and recognises exactly three kinds of global:
 * - `torch._utils._rebuild_tensor_v2` (REDUCE gives a `PickledTensor` description, nothing is called);
 * - `torch.<Type>Storage` (storage type tags inside persistent ids);
 * - `collections.OrderedDict` (REDUCE gives an empty `Map`).
 * Any other global is refused, with its module and name in the error, as soon as the pickle names it.
 * Instance-building opcodes (INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT*) and out-of-band buffers are refused too.
 */

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleTuple
  | Map<PickleKey, PickleValue>
  | PickleGlobal
  | PickledStorage
  | PickledTensor;

export type PickleKey = string | number | bigint | boolean | null;

export interface PickleTuple {
  readonly kind: 'tuple';
  readonly items: readonly PickleValue[];
}

/** An allowed global, kept as a name (never resolved to anything callable). */
export interface PickleGlobal {
  readonly kind: 'global';
  readonly module: string;
  readonly name: string;
}

/** What a persistent id resolves to: a storage the caller (the torch reader) knows how to fetch. */
export interface PickledStorage {
  readonly kind: 'storage';
  /** Storage type name, e.g. `FloatStorage`. */
  readonly type: string;
  /** Record key inside the archive (`data/<key>`). */
  readonly key: string;
  readonly location: string;
  /** Number of elements. */
  readonly numel: number;
}

/** The arguments of a `_rebuild_tensor_v2` call. */
export interface PickledTensor {
  readonly kind: 'tensor';
  readonly storage: PickledStorage;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
}

export interface ReadPickleOptions {
  /** Resolve a persistent id (BINPERSID); without it, persistent ids are refused. */
  readonly persistentLoad?: (pid: PickleValue) => PickleValue;
  /** Names the source in errors. */
  readonly name?: string;
}

const STORAGE_TYPES = new Set([
  'FloatStorage', 'DoubleStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage', 'ShortStorage',
  'CharStorage', 'ByteStorage', 'BoolStorage',
]);

function allowedGlobal(module: string, name: string): boolean {
  if (module === 'torch._utils' && name === '_rebuild_tensor_v2') return true;
  if (module === 'torch' && STORAGE_TYPES.has(name)) return true;
  return module === 'collections' && name === 'OrderedDict';
}

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

function isTuple(v: PickleValue): v is PickleTuple {
  return typeof v === 'object' && v !== null && !(v instanceof Map) && !(v instanceof Uint8Array) && !Array.isArray(v) && v.kind === 'tuple';
}

function isGlobal(v: PickleValue, module: string, name: string): boolean {
  return typeof v === 'object' && v !== null && !(v instanceof Map) && !(v instanceof Uint8Array) && !Array.isArray(v) && v.kind === 'global' && v.module === module && v.name === name;
}

function isStorage(v: PickleValue): v is PickledStorage {
  return typeof v === 'object' && v !== null && !(v instanceof Map) && !(v instanceof Uint8Array) && !Array.isArray(v) && v.kind === 'storage';
}

function asKey(v: PickleValue, where: string): PickleKey {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  throw new Error(`${where}: dictionary key of an unsupported kind (only strings, numbers, booleans and None)`);
}

function asInt(v: PickleValue, what: string, where: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(-Number.MAX_SAFE_INTEGER)) return Number(v);
  throw new Error(`${where}: ${what} is not an integer`);
}

function intTuple(v: PickleValue, what: string, where: string): number[] {
  if (!isTuple(v)) throw new Error(`${where}: ${what} is not a tuple`);
  return v.items.map((x, i) => asInt(x, `${what}[${i}]`, where));
}

/** Little-endian two's-complement integer of LONG1/LONG4. */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(atU8(bytes, i));
  if (atU8(bytes, bytes.length - 1) & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v >= BigInt(-Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Interpret the pickle in `bytes` and return the value STOP leaves on the stack. */
export function readPickle(bytes: Uint8Array, opts: ReadPickleOptions = {}): PickleValue {
  return readPickleAt(bytes, 0, opts).value;
}

/**
 * Interpret the pickle that starts at byte `start` of `bytes`; also gives where it ended, for files that hold
 * several pickles in a row (legacy torch checkpoints: magic number, protocol, system info, the state_dict,
 * the storage keys, then the raw storages).
 */
export function readPickleAt(bytes: Uint8Array, start: number, opts: ReadPickleOptions = {}): { value: PickleValue; end: number } {
  const where = opts.name ?? 'pickle';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = start;
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg} (at byte ${pos})`);
  };
  const need = (n: number): void => {
    if (pos + n > bytes.length) fail('truncated pickle');
  };
  const u8 = (): number => {
    need(1);
    return atU8(bytes, pos++);
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail('length beyond the end of the pickle');
    return Number(v);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('truncated pickle (unterminated GLOBAL name)');
    const s = Buffer.from(bytes.subarray(pos, end)).toString('utf8');
    pos = end + 1;
    return s;
  };
  const utf8 = (n: number): string => Buffer.from(take(n)).toString('utf8');
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined) return fail('stack underflow');
    if (v === MARK) return fail('unexpected MARK on the stack');
    return v;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) return fail('stack underflow');
    return v;
  };
  const popMark = (): PickleValue[] => {
    const items: PickleValue[] = [];
    for (;;) {
      const v = stack.pop();
      if (v === undefined) return fail('MARK not found');
      if (v === MARK) return items.reverse();
      items.push(v);
    }
  };
  const global = (module: string, name: string): PickleGlobal => {
    if (!allowedGlobal(module, name)) {
      fail(
        `refusing to load: the pickle references the global '${module}.${name}', which could run code; only tensors and plain ` +
          `containers are read (allowed: torch._utils._rebuild_tensor_v2, torch.<Type>Storage, collections.OrderedDict), and no pickle code is ever executed`,
      );
    }
    return { kind: 'global', module, name };
  };
  const reduce = (fn: PickleValue, args: PickleValue): PickleValue => {
    if (!isTuple(args)) return fail('REDUCE arguments are not a tuple');
    if (isGlobal(fn, 'collections', 'OrderedDict')) {
      const m = new Map<PickleKey, PickleValue>();
      const init = args.items[0];
      if (args.items.length > 1) fail('OrderedDict called with more than one argument');
      if (init !== undefined) {
        if (!Array.isArray(init)) fail('OrderedDict called with a non-list argument');
        for (const pair of init as PickleValue[]) {
          if (!isTuple(pair) || pair.items.length !== 2) fail('OrderedDict item is not a (key, value) pair');
          const [k, v] = (pair as PickleTuple).items as [PickleValue, PickleValue];
          m.set(asKey(k, where), v);
        }
      }
      return m;
    }
    if (isGlobal(fn, 'torch._utils', '_rebuild_tensor_v2')) {
      const [storage, offset, size, stride] = args.items;
      if (args.items.length < 6 || storage === undefined || offset === undefined || size === undefined || stride === undefined) {
        return fail('_rebuild_tensor_v2 called with too few arguments');
      }
      if (!isStorage(storage)) return fail('_rebuild_tensor_v2: first argument is not a storage');
      const t: PickledTensor = {
        kind: 'tensor',
        storage,
        offset: asInt(offset, 'storage offset', where),
        shape: intTuple(size, 'size', where),
        stride: intTuple(stride, 'stride', where),
      };
      if (t.shape.length !== t.stride.length) fail('_rebuild_tensor_v2: size and stride differ in length');
      return t;
    }
    const desc = typeof fn === 'object' && fn !== null && !Array.isArray(fn) && !(fn instanceof Map) && !(fn instanceof Uint8Array) && fn.kind === 'global' ? `${fn.module}.${fn.name}` : 'a non-callable value';
    return fail(`refusing to load: REDUCE would call ${desc}; no pickle code is ever executed`);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() < 2) fail('pickle protocol below 2 is not supported');
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: {
        // STOP
        const v = pop();
        if (stack.length !== 0) fail('stack not empty at STOP');
        return { value: v, end: pos };
      }
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push({ kind: 'tuple', items: [] });
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x85: // TUPLE1
        stack.push({ kind: 'tuple', items: [pop()] });
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        stack.push({ kind: 'tuple', items: [a, b] });
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push({ kind: 'tuple', items: [a, b, c] });
        break;
      }
      case 0x74: // TUPLE
        stack.push({ kind: 'tuple', items: popMark() });
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        if (items.length % 2 !== 0) fail('DICT with an odd number of items');
        const m = new Map<PickleKey, PickleValue>();
        for (let i = 0; i < items.length; i += 2) m.set(asKey(at(items, i), where), at(items, i + 1));
        stack.push(m);
        break;
      }
      case 0x8f: // EMPTY_SET: kept as a list
        stack.push([]);
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!Array.isArray(s)) fail('ADDITEMS on a non-set');
        (s as PickleValue[]).push(...items);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        const l = top();
        if (!Array.isArray(l)) fail('APPEND to a non-list');
        (l as PickleValue[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const l = top();
        if (!Array.isArray(l)) fail('APPENDS to a non-list');
        (l as PickleValue[]).push(...items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        const d = top();
        if (!(d instanceof Map)) fail('SETITEM on a non-dict');
        (d as Map<PickleKey, PickleValue>).set(asKey(k, where), v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = top();
        if (!(d instanceof Map)) fail('SETITEMS on a non-dict');
        if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
        for (let i = 0; i < items.length; i += 2) (d as Map<PickleKey, PickleValue>).set(asKey(at(items, i), where), at(items, i + 1));
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(view.getUint16(pos, true));
        pos += 2;
        break;
      case 0x8a: // LONG1
        stack.push(decodeLong(take(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(decodeLong(take(u32())));
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(u64()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(Buffer.from(take(u8())).toString('latin1'));
        break;
      case 0x54: // BINSTRING
        stack.push(Buffer.from(take(u32())).toString('latin1'));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        const v = memo.get(i);
        if (v === undefined) fail(`memo entry ${i} is missing`);
        stack.push(v as PickleValue);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(global(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL operands are not strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(reduce(fn, args));
        break;
      }
      case 0x62: {
        // BUILD: only plain dicts (an OrderedDict's attributes such as state_dict._metadata) take state; it is dropped.
        pop();
        if (!(top() instanceof Map)) fail('BUILD on something other than a dict would set object state; refused');
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        const load = opts.persistentLoad;
        if (load === undefined) return fail('persistent id found but no persistent loader given');
        stack.push(load(pid));
        break;
      }
      case 0x30: // POP
        if (stack.pop() === undefined) fail('stack underflow');
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x81:
      case 0x92:
      case 0x69:
      case 0x6f:
      case 0x82:
      case 0x83:
      case 0x84: {
        const names: Record<number, string> = { 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x69: 'INST', 0x6f: 'OBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4' };
        return fail(`refusing to load: opcode ${names[op]} would construct an arbitrary object; no pickle code is ever executed`);
      }
      case 0x97:
      case 0x98:
        return fail('out-of-band buffers (pickle protocol 5 NEXT_BUFFER/READONLY_BUFFER) are not supported');
      default:
        return fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} ('${String.fromCharCode(op)}'); only protocols 2-5 are read`);
    }
  }
}
