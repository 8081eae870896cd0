import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { NpyData, NpyDtype } from '../../src/data/io/NpyArray';
import { NpyWriter } from '../../src/data/io/NpyWriter';
import { readNpy } from '../../src/data/io/readNpy';
import { readNpz } from '../../src/data/io/readNpz';
import { encodeNpy, writeNpy } from '../../src/data/io/writeNpy';
import { python, tempDir } from './helpers';
import { at } from '../../src/util/at';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('npy')));
afterAll(() => cleanup());

/** Values for element i of each dtype, spanning signs and the type's extremes; the Python side uses the same rule. */
function makeData(dtype: NpyDtype, n: number): NpyData {
  const pick = <T>(i: number, edge: readonly T[], f: (i: number) => T): T => (i < edge.length ? (edge[i] as T) : f(i));
  switch (dtype) {
    case 'float32':
      return Float32Array.from({ length: n }, (_, i) => pick(i, [3.4028234663852886e38, -1.1754943508222875e-38], (k) => k * 1.5 - 7.25));
    case 'float64':
      return Float64Array.from({ length: n }, (_, i) => pick(i, [1.7976931348623157e308, 5e-324], (k) => k / 3 - 2));
    case 'int8':
      return Int8Array.from({ length: n }, (_, i) => pick(i, [-128, 127], (k) => k - 5));
    case 'int16':
      return Int16Array.from({ length: n }, (_, i) => pick(i, [-32768, 32767], (k) => k * 100 - 500));
    case 'int32':
      return Int32Array.from({ length: n }, (_, i) => pick(i, [-2147483648, 2147483647], (k) => k * 100000 - 7));
    case 'int64':
      return BigInt64Array.from({ length: n }, (_, i) => pick(i, [-(2n ** 63n), 2n ** 63n - 1n], (k) => BigInt(k) * 10000000000n - 3n));
    case 'uint8':
      return Uint8Array.from({ length: n }, (_, i) => pick(i, [0, 255], (k) => k * 7));
    case 'uint16':
      return Uint16Array.from({ length: n }, (_, i) => pick(i, [0, 65535], (k) => k * 1000));
    case 'uint32':
      return Uint32Array.from({ length: n }, (_, i) => pick(i, [0, 4294967295], (k) => k * 100000));
    case 'uint64':
      return BigUint64Array.from({ length: n }, (_, i) => pick(i, [0n, 2n ** 64n - 1n], (k) => BigInt(k) * 10000000000n));
    case 'bool':
      return Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  }
}

const DTYPES: NpyDtype[] = ['float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool'];
const NUMPY_NAME: Record<NpyDtype, string> = {
  float32: 'float32', float64: 'float64', int8: 'int8', int16: 'int16', int32: 'int32', int64: 'int64',
  uint8: 'uint8', uint16: 'uint16', uint32: 'uint32', uint64: 'uint64', bool: 'bool',
};

/** Python's view of .npy files: dtype, shape, C-order flag and the values as exact strings. */
const DESCRIBE = `
import sys, json, numpy as np
out = []
for path in sys.argv[1:]:
    a = np.load(path)
    out.append({"dtype": str(a.dtype), "shape": list(a.shape), "c": bool(a.flags["C_CONTIGUOUS"]),
                "values": [repr(v.item()) if a.dtype.kind == "f" else str(v) for v in a.reshape(-1)]})
print(json.dumps(out))
`;

function asStrings(data: NpyData, dtype: NpyDtype): string[] {
  return Array.from(data as ArrayLike<number | bigint>, (v) => {
    if (dtype === 'bool') return v === 1 ? 'True' : 'False';
    if (dtype === 'float32' || dtype === 'float64') return pythonRepr(Number(v));
    return String(v);
  });
}

/**
 * Python's repr of a float, for the values used here: integers get '.0'; the others print the same shortest
 * round-trip digits in both languages (the extremes already have two-digit exponents).
 */
function pythonRepr(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? x.toFixed(1) : String(x);
}

describe('writeNpy -> NumPy', () => {
  const shapes: number[][] = [[2, 3], [5], [], [0, 4], [2, 1, 3]];
  test('every dtype and shape loads in NumPy with the same values', () => {
    const files: string[] = [];
    const expected: { dtype: string; shape: number[]; values: string[] }[] = [];
    for (const dtype of DTYPES) {
      for (const shape of shapes) {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = makeData(dtype, n);
        const file = join(dir, `w_${dtype}_${shape.join('x') || 'scalar'}.npy`);
        writeNpy(file, { data, shape, ...(dtype === 'bool' ? { dtype } : {}) });
        // Data starts on a 64-byte boundary, as the format asks.
        const headerLen = readFileSync(file).readUInt16LE(8);
        expect((10 + headerLen) % 64).toBe(0);
        files.push(file);
        expected.push({ dtype: NUMPY_NAME[dtype], shape, values: asStrings(data, dtype) });
      }
    }
    const got = JSON.parse(python(DESCRIBE, ...files)) as { dtype: string; shape: number[]; c: boolean; values: string[] }[];
    got.forEach((g, i) => {
      const e = expected[i];
      expect({ file: files[i], dtype: g.dtype, shape: g.shape, values: g.values }).toEqual({ file: files[i], ...e });
      expect(g.c).toBe(true);
    });
  });

  test('writes atomically and rejects bad input', () => {
    const file = join(dir, 'atomic.npy');
    writeNpy(file, { data: new Float32Array([1, 2]), shape: [2] });
    expect(readdirSync(dir).filter((f) => f.includes('atomic') && f.endsWith('.tmp'))).toEqual([]);
    expect(() => writeNpy(file, { data: new Float32Array(5), shape: [2, 3] })).toThrow(/data has 5 values but shape \[2, 3\] needs 6/);
    expect(() => writeNpy(file, { data: new Float32Array(2), shape: [2], dtype: 'float64' })).toThrow(/dtype 'float64' .* does not match float32 data/);
    expect(() => writeNpy(file, { data: new Uint8Array([0, 2]), shape: [2], dtype: 'bool' })).toThrow(/needs 0\/1 values, data\[1\] is 2/);
    expect(() => writeNpy(file, { data: new Float32Array(2), shape: [-2] })).toThrow(/must hold non-negative integers/);
    expect(readNpy(file).data).toEqual(new Float32Array([1, 2]));
  });
});

describe('NumPy -> readNpy / readNpz', () => {
  const MAKE = `
import sys, numpy as np
d = sys.argv[1]
def vals(n, dt):
    i = np.arange(n)
    return (i * 1.5 - 7.25).astype(dt) if np.dtype(dt).kind == "f" else (i * 3 - 4).astype(dt)
np.save(d + "/f4.npy", vals(6, "<f4").reshape(2, 3))
np.save(d + "/f8_fortran.npy", np.asfortranarray(vals(24, "<f8").reshape(2, 3, 4)))
np.save(d + "/i4_big.npy", vals(6, ">i4").reshape(3, 2))
np.save(d + "/f8_big.npy", vals(4, ">f8"))
np.save(d + "/i8.npy", vals(5, "<i8"))
np.save(d + "/u2.npy", np.array([0, 1, 65535], dtype="<u2"))
np.save(d + "/b1.npy", np.array([[True, False], [False, True]]))
np.save(d + "/scalar.npy", np.float64(2.5))
np.save(d + "/empty.npy", np.zeros((0, 3), dtype="<f4"))
with open(d + "/v2.npy", "wb") as f:
    np.lib.format.write_array(f, vals(4, "<f4"), version=(2, 0))
np.save(d + "/complex.npy", np.zeros(2, dtype=np.complex64))
np.save(d + "/structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))
np.savez(d + "/plain.npz", first=vals(6, "<f4").reshape(2, 3), second=vals(3, "<i8"))
np.savez_compressed(d + "/packed.npz", x=vals(1000, "<f8").reshape(100, 10), y=np.array([True, False]))
`;
  let d: string;
  beforeAll(() => {
    d = join(dir, 'from-numpy');
    mkdirSync(d);
    python(MAKE, d);
  });

  const seq = (n: number, float: boolean): number[] => Array.from({ length: n }, (_, i) => (float ? i * 1.5 - 7.25 : i * 3 - 4));

  test('dtypes, byte orders, Fortran order, format 2.0, scalars and empty arrays', () => {
    expect(readNpy(join(d, 'f4.npy'))).toEqual({ data: new Float32Array(seq(6, true)), shape: [2, 3], dtype: 'float32' });
    // Fortran order comes back transposed into C order: the same logical array.
    const fortran = readNpy(join(d, 'f8_fortran.npy'));
    expect(fortran.shape).toEqual([2, 3, 4]);
    expect(Array.from(fortran.data as Float64Array)).toEqual(seq(24, true));
    expect(readNpy(join(d, 'i4_big.npy'))).toEqual({ data: new Int32Array(seq(6, false)), shape: [3, 2], dtype: 'int32' });
    expect(readNpy(join(d, 'f8_big.npy')).data).toEqual(new Float64Array(seq(4, true)));
    expect(readNpy(join(d, 'i8.npy')).data).toEqual(BigInt64Array.from(seq(5, false), (v) => BigInt(v)));
    expect(readNpy(join(d, 'u2.npy')).data).toEqual(new Uint16Array([0, 1, 65535]));
    expect(readNpy(join(d, 'b1.npy'))).toEqual({ data: new Uint8Array([1, 0, 0, 1]), shape: [2, 2], dtype: 'bool' });
    expect(readNpy(join(d, 'scalar.npy'))).toEqual({ data: new Float64Array([2.5]), shape: [], dtype: 'float64' });
    expect(readNpy(join(d, 'empty.npy'))).toEqual({ data: new Float32Array(0), shape: [0, 3], dtype: 'float32' });
    const v2 = readFileSync(join(d, 'v2.npy'));
    expect(v2[6]).toBe(2);
    expect(readNpy(v2).data).toEqual(new Float32Array(seq(4, true)));
  });

  test('npz from savez (stored) and savez_compressed (deflated, ZIP64 local headers)', () => {
    const plain = readNpz(join(d, 'plain.npz'));
    expect(Object.keys(plain).sort()).toEqual(['first', 'second']);
    expect(plain.first).toEqual({ data: new Float32Array(seq(6, true)), shape: [2, 3], dtype: 'float32' });
    expect(plain.second?.data).toEqual(BigInt64Array.from(seq(3, false), (v) => BigInt(v)));
    const packed = readNpz(join(d, 'packed.npz'));
    expect(packed.x?.shape).toEqual([100, 10]);
    expect(Array.from(packed.x?.data as Float64Array)).toEqual(seq(1000, true));
    expect(packed.y).toEqual({ data: new Uint8Array([1, 0]), shape: [2], dtype: 'bool' });
  });

  test('unsupported and damaged files are reported', () => {
    expect(() => readNpy(join(d, 'complex.npy'))).toThrow(/complex\.npy: unsupported dtype '<c8'/);
    expect(() => readNpy(join(d, 'structured.npy'))).toThrow(/structured\.npy: unsupported dtype: structured arrays/);
    const f4 = readFileSync(join(d, 'f4.npy'));
    expect(() => readNpy(f4.subarray(0, f4.length - 4), 'cut.npy')).toThrow(/cut\.npy: truncated \.npy file: shape \[2, 3\] needs 24 data bytes, 20 present/);
    expect(() => readNpy(Buffer.from('PK\x03\x04 not npy'), 'x.npy')).toThrow(/x\.npy: not a \.npy file/);
    expect(() => readNpy(join(d, 'none.npy'))).toThrow(/none\.npy: file not found/);
    const npz = Buffer.from(readFileSync(join(d, 'packed.npz')));
    expect(() => readNpz(npz.subarray(0, npz.length - 30), { label: 'cut.npz' })).toThrow(/cut\.npz: not a zip archive, or truncated/);
    npz[200] = at(npz, 200) ^ 0xff;
    expect(() => readNpz(npz, { label: 'flipped.npz' })).toThrow(/flipped\.npz: entry '.*': (corrupt deflate data|corrupt: CRC-32 mismatch)/);
  });
});

describe('ZIP64 end-of-central-directory records', () => {
  /** A one-entry stored zip whose central directory uses the ZIP64 forms throughout. */
  function zip64Archive(name: string, payload: Buffer): Buffer {
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(45, 4);
    local.writeUInt32LE(crc32(payload) >>> 0, 14);
    local.writeUInt32LE(payload.length, 18);
    local.writeUInt32LE(payload.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(45, 6);
    central.writeUInt32LE(crc32(payload) >>> 0, 16);
    central.writeUInt32LE(0xffffffff, 20);
    central.writeUInt32LE(0xffffffff, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt16LE(28, 30);
    central.writeUInt32LE(0xffffffff, 42);
    const extra = Buffer.alloc(28);
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(24, 2);
    extra.writeBigUInt64LE(BigInt(payload.length), 4);
    extra.writeBigUInt64LE(BigInt(payload.length), 12);
    extra.writeBigUInt64LE(0n, 20);
    const cdOffset = local.length + nameBytes.length + payload.length;
    const cd = Buffer.concat([central, nameBytes, extra]);
    const eocd64 = Buffer.alloc(56);
    eocd64.writeUInt32LE(0x06064b50, 0);
    eocd64.writeBigUInt64LE(44n, 4);
    eocd64.writeUInt16LE(45, 12);
    eocd64.writeUInt16LE(45, 14);
    eocd64.writeBigUInt64LE(1n, 24);
    eocd64.writeBigUInt64LE(1n, 32);
    eocd64.writeBigUInt64LE(BigInt(cd.length), 40);
    eocd64.writeBigUInt64LE(BigInt(cdOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(cdOffset + cd.length), 8);
    locator.writeUInt32LE(1, 16);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(0xffff, 8);
    eocd.writeUInt16LE(0xffff, 10);
    eocd.writeUInt32LE(0xffffffff, 12);
    eocd.writeUInt32LE(0xffffffff, 16);
    return Buffer.concat([local, nameBytes, payload, cd, eocd64, locator, eocd]);
  }

  test('an archive Python reads as ZIP64 reads the same here', () => {
    const file = join(dir, 'zip64.npz');
    writeFileSync(file, zip64Archive('arr.npy', encodeNpy({ data: new Int16Array([7, -8, 9]), shape: [3] })));
    // Independent check that the archive really is valid ZIP64: Python's zipfile and NumPy read it.
    const check = `
import sys, zipfile, numpy as np
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(np.load(sys.argv[1])["arr"].tolist())
`;
    expect(python(check, file).trim()).toBe('[7, -8, 9]');
    expect(readNpz(file)).toEqual({ arr: { data: new Int16Array([7, -8, 9]), shape: [3], dtype: 'int16' } });
  });
});

describe('NpyWriter', () => {
  test('rows appended in pieces make one [rows, ...rowShape] array NumPy reads', () => {
    const file = join(dir, 'frames.npy');
    const w = new NpyWriter(file, { dtype: 'float32', rowShape: [2, 3] });
    w.append(Float32Array.from({ length: 12 }, (_, i) => i));
    expect(existsSync(file)).toBe(false);
    w.append(new Float32Array(0));
    w.append(Float32Array.from({ length: 6 }, (_, i) => 12 + i));
    expect(() => w.append(new Float32Array(5))).toThrow(/5 values is not a whole number of rows of shape \[2, 3\]/);
    expect(() => w.append(new Float64Array(6))).toThrow(/dtype 'float32' .* does not match float64 data/);
    expect(w.rows).toBe(3);
    expect(w.close()).toEqual([3, 2, 3]);
    expect(() => w.append(new Float32Array(6))).toThrow(/already closed/);
    const got = JSON.parse(python(DESCRIBE, file)) as { dtype: string; shape: number[]; values: string[] }[];
    expect(got[0]).toMatchObject({ dtype: 'float32', shape: [3, 2, 3], values: Array.from({ length: 18 }, (_, i) => `${i}.0`) });
    expect(readNpy(file).data).toEqual(Float32Array.from({ length: 18 }, (_, i) => i));
  });

  test('an empty writer gives a [0, ...] array; abort leaves nothing behind', () => {
    const empty = join(dir, 'empty-rows.npy');
    new NpyWriter(empty, { dtype: 'int32', rowShape: [4] }).close();
    expect(readNpy(empty)).toEqual({ data: new Int32Array(0), shape: [0, 4], dtype: 'int32' });
    const aborted = join(dir, 'aborted.npy');
    const w = new NpyWriter(aborted, { dtype: 'float64' });
    w.append(new Float64Array([1, 2]));
    w.abort();
    expect(existsSync(aborted)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('aborted'))).toEqual([]);
  });
});

describe('untrusted .npz archives', () => {
  // Made with Python's zipfile and patched with struct, as an attacker would: an npz whose entry declares
  // 1,000 bytes but inflates to 80 MB of zeros; one whose declared sizes exceed the caller's limit; and one whose
  // six directory entries all point at the same compressed block.
  let bombs = '';
  beforeAll(() => {
    bombs = join(dir, 'bombs');
    mkdirSync(bombs);
    python(
      `
import io, struct, sys, zipfile
import numpy as np
out = sys.argv[1]
def npz(arrays):
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return bytearray(buf.getvalue())
def patch_sizes(b, size):
    # every local header (PK\\3\\4) and central record (PK\\1\\2): uncompressed size field
    i = 0
    while True:
        i = b.find(b'PK\\x03\\x04', i)
        if i < 0: break
        struct.pack_into('<I', b, i + 22, size); i += 4
    i = 0
    while True:
        i = b.find(b'PK\\x01\\x02', i)
        if i < 0: break
        struct.pack_into('<I', b, i + 24, size); i += 4
    return b
open(out + '/liar.npz', 'wb').write(patch_sizes(npz({'x': np.zeros(10_000_000)}), 1000))
open(out + '/big.npz', 'wb').write(npz({'x': np.zeros(1000), 'y': np.zeros(1000)}))
# six names, one block: copy the central record of the only entry five times with new names
b = npz({'a': np.zeros(10_000)})
cd = b.find(b'PK\\x01\\x02'); eocd = b.find(b'PK\\x05\\x06')
rec = bytes(b[cd:eocd]); name_len = struct.unpack_from('<H', rec, 28)[0]
recs = [rec] + [rec[:46] + ('%s.npy' % c).encode().ljust(name_len, b'_')[:name_len] + rec[46 + name_len:] for c in 'bcdef']
end = bytearray(b[eocd:]); struct.pack_into('<HH', end, 8, 6, 6); struct.pack_into('<I', end, 12, sum(map(len, recs)))
open(out + '/shared.npz', 'wb').write(bytes(b[:cd]) + b''.join(recs) + bytes(end))
`,
      bombs,
    );
  });

  test('an entry that inflates past its declared size stops there', () => {
    const t0 = Date.now();
    expect(() => readNpz(join(bombs, 'liar.npz'))).toThrow(/liar\.npz: entry 'x\.npy': corrupt or malicious: inflates past its declared 1000 bytes/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test('declared sizes above the limit are refused before inflating', () => {
    expect(Object.keys(readNpz(join(bombs, 'big.npz')))).toEqual(['x', 'y']);
    expect(() => readNpz(join(bombs, 'big.npz'), { maxBytes: 10_000 })).toThrow(/big\.npz: its arrays declare 16\d\d\d bytes in all, above the limit of 10000 \(maxBytes\)/);
  });

  test('entries that share one compressed block are refused', () => {
    expect(() => readNpz(join(bombs, 'shared.npz'))).toThrow(/shared\.npz: corrupt or malicious zip archive: entries '.*' and '.*' share data/);
  });
});

describe('.npy headers are parsed as the Python literals NumPy writes', () => {
  /** A version-1 .npy file with header text `dict` and two float32 values. */
  function npyWithHeader(dict: string): Buffer {
    let text = dict;
    while ((10 + text.length + 1) % 64 !== 0) text += ' ';
    text += '\n';
    const head = Buffer.alloc(10);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
    head.writeUInt16LE(text.length, 8);
    return Buffer.concat([head, Buffer.from(text, 'latin1'), Buffer.from(new Float32Array([1.5, -2]).buffer)]);
  }
  const cases: [string, string, RegExp | null][] = [
    ['plain', "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", null],
    ['reordered', "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}", null],
    ['extra key', "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", /keys are descr, extra, fortran_order, shape; expected descr, fortran_order, shape/],
    ['descr hidden in a value', "{'fortran_order': False, 'shape': (2,), 'descr': '<f4', 'x': \"'descr': '<f8'\"}", /keys are/],
    ['not a literal', "{'descr': '<f4', 'fortran_order': False, 'shape': __import__('os')}", /corrupt \.npy header: expected a literal/],
    ['shape not a tuple', "{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", /'shape' is not a tuple/],
  ];
  test.each(cases)('%s: ours and NumPy agree', (label, dict, expected) => {
    const file = join(dir, `header-${label.replace(/\W+/g, '-')}.npy`);
    writeFileSync(file, npyWithHeader(dict));
    const numpy = python(
      `
import sys, numpy as np
try:
    a = np.load(sys.argv[1], allow_pickle=False)
    print('ok', a.dtype, a.tolist())
except Exception as e:
    print('error', type(e).__name__)
`,
      file,
    ).trim();
    if (expected === null) {
      expect(numpy).toBe('ok float32 [1.5, -2.0]');
      expect(readNpy(file)).toEqual({ data: new Float32Array([1.5, -2]), shape: [2], dtype: 'float32' });
    } else {
      expect(numpy).toMatch(/^error /);
      expect(() => readNpy(file)).toThrow(expected);
    }
  });
});
