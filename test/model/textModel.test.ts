/**
 * Text encoders against the fixtures of test/fixtures/models/build_text_models.py: its own WordPiece and
 * byte-level BPE implementations give the token ids and the word of each token, and PyTorch gives every hidden
 * state (sliding windows for the long sentence, by the rule written out in the script).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Matrix } from '../../src/matrix';
import { embedWords } from '../../src/model/text/embedWords';
import { loadTextModel } from '../../src/model/text/loadTextModel';
import type { TextModel } from '../../src/model/text/TextModel';
import { at } from '../../src/util/at';
import { relMaxError } from './modelFixtures';

const TEXT = path.join(__dirname, '..', 'fixtures', 'models', 'text');

interface Entry {
  readonly offset: number;
  readonly shape: readonly [number, number];
}
interface Sentence {
  readonly text: string;
  readonly ids: readonly number[];
  readonly tokens: readonly string[];
  readonly word_of_token: readonly number[];
  readonly hidden?: readonly Entry[];
  readonly hidden_content?: readonly Entry[];
  readonly window_starts?: readonly number[];
}

function reference(model: string): { sentences: Sentence[]; read: (e: Entry) => Matrix<Float32Array> } {
  const dir = path.join(TEXT, model);
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8')) as { sentences: Sentence[] };
  const bin = fs.readFileSync(path.join(dir, 'reference.bin'));
  const read = ({ offset, shape: [rows, cols] }: Entry): Matrix<Float32Array> => {
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = bin.readFloatLE(offset + 4 * i);
    return { rows, cols, data };
  };
  return { sentences: index.sentences, read };
}

/** A copy of a fixture folder with only `files`, so that cached graphs stay out of the repository. */
function copy(model: string, files: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `layerwise-text-${model}-`));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(TEXT, model, f), path.join(dir, f));
  }
  return dir;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function withModel<T>(model: string, files: readonly string[], f: (m: TextModel, dir: string) => Promise<T>): Promise<T> {
  const dir = copy(model, files);
  dirs.push(dir);
  const m = await loadTextModel(dir, { threads: 1 });
  try {
    return await f(m, dir);
  } finally {
    await m.release();
  }
}

const BASE = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

test.each([
  ['bert', 'model.safetensors'],
  ['bert', 'pytorch_model.bin'],
  ['bert', 'onnx/model.onnx'],
  ['roberta', 'model.safetensors'],
])('%s from %s: the tokens, the word of each token and every hidden state match the references', async (model, file) => {
  const ref = reference(model);
  await withModel(model, [...BASE, file], async (m) => {
    expect(m.info.source).toBe(file.endsWith('.onnx') ? 'onnx' : 'weights');
    expect(m.layerNames).toEqual(['hidden.0', 'hidden.1', 'hidden.2']);
    for (const s of ref.sentences) {
      const tok = m.tokenizeWords(s.text.split(' '));
      expect(tok.ids).toEqual(s.ids);
      expect(tok.wordOfToken).toEqual(s.word_of_token);
      if (s.hidden === undefined) continue;
      const cache = await m.run(tok.ids);
      s.hidden.forEach((e, i) => {
        const err = relMaxError(cache.get(`hidden.${i}`), ref.read(e));
        if (!(err <= 1e-4)) throw new Error(`${model} ${file} '${s.text}' hidden.${i}: relative error ${err}`);
      });
    }
  });
});

/** Word vectors from token states: mean (or first) over each word's tokens, rows in word order. */
function poolWords(states: Matrix<Float32Array>, wordOf: readonly number[], words: number, first: boolean): Matrix<Float32Array> {
  const out = new Float32Array(words * states.cols);
  for (let w = 0; w < words; w++) {
    const rows = wordOf.map((x, t) => (x === w ? t : -1)).filter((t) => t >= 0);
    const use = first ? rows.slice(0, 1) : rows;
    for (const t of use) for (let j = 0; j < states.cols; j++) out[w * states.cols + j] = (out[w * states.cols + j] ?? 0) + (states.data[t * states.cols + j] ?? 0) / use.length;
  }
  return { rows: words, cols: states.cols, data: out };
}

test.each(['bert', 'roberta'])('%s: a transcript longer than the positions runs in windows as the script computes them; pooling mean and first', async (model) => {
  const ref = reference(model);
  await withModel(model, [...BASE, 'model.safetensors'], async (m) => {
    for (const s of ref.sentences) {
      const words = s.text.split(' ');
      for (const pooling of ['mean', 'first'] as const) {
        const got = await embedWords(m, words, { pooling });
        expect(got.wordIndex).toEqual(words.map((_, i) => i));
        expect(got.empty).toEqual([]);
        const content = s.word_of_token.filter((w) => w >= 0);
        got.layers.forEach((name, l) => {
          let states: Matrix<Float32Array>;
          if (s.hidden !== undefined) {
            const full = ref.read(s.hidden[l] ?? { offset: 0, shape: [0, 0] });
            // Drop the special tokens: the first and last rows.
            states = { rows: full.rows - 2, cols: full.cols, data: full.data.slice(full.cols, (full.rows - 1) * full.cols) };
          } else {
            states = ref.read(s.hidden_content?.[l] ?? { offset: 0, shape: [0, 0] });
          }
          const err = relMaxError(at(got.vectors, l), poolWords(states, content, words.length, pooling === 'first'));
          if (!(err <= 1e-4)) throw new Error(`${model} '${s.text.slice(0, 20)}' ${name} ${pooling}: relative error ${err}`);
        });
        expect(got.windows).toBe(s.window_starts?.length ?? 1);
      }
    }
    expect(ref.sentences.some((s) => (s.window_starts?.length ?? 0) >= 3)).toBe(true);
  });
});

test('bad input names the file or the word', async () => {
  const dir = copy('bert', ['config.json', 'model.safetensors']);
  dirs.push(dir);
  await expect(loadTextModel(dir)).rejects.toThrow(/no tokenizer\.json beside .*model\.safetensors/);
  fs.copyFileSync(path.join(TEXT, 'bert', 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...cfg, model_type: 'gpt2' }));
  await expect(loadTextModel(dir)).rejects.toThrow(/config\.json: model_type "gpt2" is not a text encoder/);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...cfg, num_hidden_layers: 3 }));
  await expect(loadTextModel(dir, { cacheExposed: false })).rejects.toThrow(/has no 'bert\.encoder\.layer\.2\.attention\.self\.query\.weight'/);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...cfg, num_hidden_layers: 1 }));
  await expect(loadTextModel(dir, { cacheExposed: false })).rejects.toThrow(/encoder weight\(s\) that the bert architecture .* does not use \(bert\.encoder\.layer\.1\./);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
  const m = await loadTextModel(dir, { threads: 1, cacheExposed: false });
  try {
    expect(() => m.tokenizeWords(['the', 'two words'])).toThrow(/word 1 "two words" is empty or holds white space/);
    await expect(m.run([2, 999999, 3])).rejects.toThrow(/token 1 has id 999999, outside the vocabulary/);
    await expect(m.run(Array.from({ length: 25 }, () => 2))).rejects.toThrow(/25 tokens, but the model's positions hold 24/);
  } finally {
    await m.release();
  }
});
