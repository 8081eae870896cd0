/**
 * saveCSV: rows and matrices as CSV/TSV, read back by Python's csv module (an independent RFC 4180 reader) and
 * compared with hand-written expectations.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { saveCSV } from '../../src/viz/saveCSV';

const PY_READ = `import csv, json, sys
with open(sys.argv[1], newline='') as f:
    print(json.dumps(list(csv.reader(f, delimiter=sys.argv[2]))))`;

function pythonRead(file: string, delimiter: string): string[][] {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY_READ, file, delimiter]).toString('utf8')) as string[][];
}

describe('saveCSV', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-csv-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes rows with a header in first-seen column order, quoting what needs it', () => {
    const rows = [
      { layer: 'hidden.0', convexity: 0.25, note: 'plain' },
      { layer: 'hidden.1', convexity: 1 / 3, note: 'a, "quoted"\nline', extra: true },
      { layer: 'hidden.2', convexity: Number.NaN },
    ];
    const file = saveCSV(rows, path.join(dir, 'out', 'curves.csv'));
    expect(fs.readFileSync(file, 'utf8')).toBe(
      'layer,convexity,note,extra\r\nhidden.0,0.25,plain,\r\nhidden.1,0.3333333333333333,"a, ""quoted""\nline",true\r\nhidden.2,NaN,,\r\n',
    );
    expect(pythonRead(file, ',')).toEqual([
      ['layer', 'convexity', 'note', 'extra'],
      ['hidden.0', '0.25', 'plain', ''],
      ['hidden.1', '0.3333333333333333', 'a, "quoted"\nline', 'true'],
      ['hidden.2', 'NaN', '', ''],
    ]);
    expect(Number(pythonRead(file, ',')[2]?.[1])).toBe(1 / 3);
    expect(fs.readFileSync(saveCSV(rows, path.join(dir, 'two.csv'), { columns: ['convexity', 'layer'] }), 'utf8').split('\r\n')[1]).toBe('0.25,hidden.0');
    expect(() => saveCSV(rows, path.join(dir, 'x.csv'), { columns: ['probe'] })).toThrow("unknown column(s) 'probe'");
  });

  it('writes a layer x layer matrix as TSV with row and column names', () => {
    const cka = [
      [1, 0.5],
      [0.5, 1],
    ];
    const file = saveCSV(cka, path.join(dir, 'cka.tsv'), { columns: ['hidden.0', 'hidden.1'], rowNames: ['hidden.0', 'hidden.1'], rowNamesHeader: 'layer' });
    expect(pythonRead(file, '\t')).toEqual([
      ['layer', 'hidden.0', 'hidden.1'],
      ['hidden.0', '1', '0.5'],
      ['hidden.1', '0.5', '1'],
    ]);
    const f32 = saveCSV({ rows: 1, cols: 2, data: new Float32Array([0.1, 2]) }, path.join(dir, 'f32.csv'));
    // float32 values written in full: they read back to the same float32
    expect(Math.fround(Number(pythonRead(f32, ',')[1]?.[0]))).toBe(Math.fround(0.1));
    expect(() => saveCSV(cka, path.join(dir, 'bad.csv'), { rowNames: ['a'] })).toThrow('1 row names for a matrix of 2 rows');
    expect(() => saveCSV([], path.join(dir, 'empty.csv'))).toThrow('no rows');
  });
});
