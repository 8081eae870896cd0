/**
 * `layerwise extract --model M --data D --out DIR`: every requested layer's features of a dataset, mean-pooled
 * or frame by frame, into a resumable feature store (see src/store/extractFeatures.ts).
 */
import { loadDataset, selectDataset } from '../data/datasets/loadDataset';
import { parseHubSource } from '../data/datasets/loadHubDataset';
import { loadAlignments } from '../data/alignments/loadAlignments';
import { extractFeatures } from '../store/extractFeatures';
import { parseShard } from '../store/planShards';
import { loadModel, type LoadModelOptions } from '../model/loadModel';
import { formatDuration, terminalProgress } from '../util/progress';
import { parseLayerSelection, wantsLocalLayers } from '../model/resolveLayers';
import { intOption, parseArgs, seedOption } from './parseArgs';

export const usage = `usage: layerwise extract --model M --data D --out DIR [options]

  --model M          a local .onnx file (or folder) or a Hugging Face-style repo id
  --data D           a labelled-folders directory (<D>/<label>/*.wav), a LibriSpeech tree
                     (<D>/[<split>/]<speaker>/<chapter>/*.flac + .trans.txt), a manifest (.csv/.tsv/.jsonl), or
                     a Hugging Face dataset hub:REPO/CONFIG/SPLIT (e.g. hub:speech_commands/v0.02/test)
  --revision R       branch, tag or commit of a hub: dataset (default main, else the hub's Parquet conversion)
  --out DIR          the feature store (created; an unfinished run there is resumed)
  --pooling P        mean (default): DIR/layer_XX.npy [items, hidden]; frames: every frame, in shards
  --span S           phone or word: one row per aligned interval (the mean of its frames; layerwise-analysis's
                     rule, middle third for phones), DIR/layer_XX.npy [segments, hidden]; needs --alignments
  --alignments A     TextGrid tree (<A>/<speaker>/<chapter>/<utt>.TextGrid, tiers words and phones); items
                     without an alignment are left out (and counted)
  --frame-rule R     layerwise-analysis (default) or truncate-inclusive (seed 002's rule)
  --whole-span       average every frame of a phone, not its middle third
  --layers L         all (default: every hidden state), 0,6,12, local (conv layers), ffn, hidden.3, local.1, ffn.6, ...
  --rep R            contextualized (every hidden state) or local (the conv layers): seed 001's --rep_type
  --local-grid G     frame stores: native (default: every conv frame) or 10ms (conv layers 1-6 box-filtered onto
                     layerwise-analysis's 10 ms grid, as its local features; 32x fewer rows for local.1)
  --limit N          keep N items (after shuffling when --seed is given)
  --shard I/N        extract only shard I (0-based) of N into DIR, a store of its own (equal audio time per shard;
                     SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT are used when set and --shard is not);
                     \`layerwise merge\` joins the N stores, \`layerwise plan\` shows the split
  --seed S           shuffle the dataset with this seed first; for hub: datasets exactly datasets' shuffle(seed=S)
                     (NumPy's PCG64), so --seed 42 --limit 500 takes the seed notebooks' select(range(500))
  --split NAME       split of a labelled-folders set (train|validation|test|all) or LibriSpeech (e.g. dev-clean)
  --max-length N     the seed notebooks' padding='max_length': zero-pad every clip to N samples first
  --skip-short       skip (and record in meta.json) clips shorter than the model's minimum input
  --skip-bad         skip (and record in meta.json) unreadable files instead of stopping; a rerun after fixing
                     them recomputes them and reuses every shard before
  --batch-size N     run up to N equal-length clips per model call (default 1)
  --shard-items N    items per shard (default 64); an interrupted run loses at most one shard
  --shard-frames N   frame stores also close a shard at N frames (default 8192)
  --ffn 3,6          also expose the FFN activations inside these layers (1..L; ffn.6 sits in the layer that outputs hidden.6)
  --threads N        onnxruntime threads (default: all cores)
  --device D         cpu (default) or cuda: the model on onnxruntime's CUDA provider (needs its CUDA build)
  --max-clip-memory G  refuse clips whose forward pass needs more than G GiB (default: 70% of this machine's memory)
  --chunk-seconds S  run clips longer than S seconds as overlapping windows of S seconds (joined frame by frame)
  --chunk-overlap O  context on each side of a window's core, in seconds (default 1)
  --no-normalize     do not normalise waveforms (overrides preprocessor_config.json)
  --quantized        use onnx/model_quantized.onnx of a hub repo
  --no-progress      no progress bar`;


function intList(value: string | undefined, name: string): number[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: '${s}' is not a layer index`);
    return n;
  });
}

/** Run `layerwise extract` with the arguments after the subcommand; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, {
    strings: ['model', 'data', 'revision', 'out', 'shard', 'device', 'pooling', 'layers', 'limit', 'seed', 'split', 'max-length', 'batch-size', 'shard-items', 'shard-frames', 'ffn', 'threads', 'max-clip-memory', 'chunk-seconds', 'chunk-overlap', 'span', 'alignments', 'frame-rule', 'rep', 'local-grid'],
    booleans: ['skip-short', 'skip-bad', 'no-normalize', 'quantized', 'no-progress', 'whole-span'],
  });
  if (a.positional.length > 0) throw new Error(`unexpected argument '${a.positional[0]}'\n${usage}`);
  const modelSource = a.strings.model;
  const dataPath = a.strings.data;
  const out = a.strings.out;
  if (modelSource === undefined || dataPath === undefined || out === undefined) throw new Error(`--model, --data and --out are required\n${usage}`);
  const pooling = a.strings.pooling ?? 'mean';
  if (pooling !== 'mean' && pooling !== 'frames') throw new Error(`--pooling must be mean or frames, got '${pooling}'`);
  const span = a.strings.span;
  if (span !== undefined && span !== 'phone' && span !== 'word') throw new Error(`--span must be phone or word, got '${span}'`);
  if (span !== undefined && a.strings.pooling !== undefined) throw new Error('--span pools per phone or word; leave out --pooling');
  const alignmentDir = a.strings.alignments;
  if ((span === undefined) !== (alignmentDir === undefined)) throw new Error('--span and --alignments go together');
  const frameRule = a.strings['frame-rule'];
  if (frameRule !== undefined && frameRule !== 'layerwise-analysis' && frameRule !== 'truncate-inclusive') throw new Error(`--frame-rule must be layerwise-analysis or truncate-inclusive, got '${frameRule}'`);
  if ((frameRule !== undefined || a.booleans['whole-span'] === true) && span === undefined) throw new Error('--frame-rule and --whole-span need --span');
  const rep = a.strings.rep;
  if (rep !== undefined && rep !== 'local' && rep !== 'contextualized') throw new Error(`--rep must be local or contextualized, got '${rep}'`);
  if (rep !== undefined && a.strings.layers !== undefined) throw new Error('--rep and --layers both choose layers; give one');
  const layers = parseLayerSelection(rep === 'local' ? 'local' : (a.strings.layers ?? 'all'));
  const localGrid = a.strings['local-grid'];
  if (localGrid !== undefined && localGrid !== 'native' && localGrid !== '10ms') throw new Error(`--local-grid must be native or 10ms, got '${localGrid}'`);
  const limit = intOption(a.strings.limit, 'limit');
  const seed = seedOption(a.strings.seed);
  const maxLength = intOption(a.strings['max-length'], 'max-length');
  const threads = intOption(a.strings.threads, 'threads');
  const ffn = intList(a.strings.ffn, 'ffn');
  const batchSize = intOption(a.strings['batch-size'], 'batch-size');
  const shardItems = intOption(a.strings['shard-items'], 'shard-items');
  const shard = parseShard(a.strings.shard);
  const device = a.strings.device;
  if (device !== undefined && device !== 'cpu' && device !== 'cuda') throw new Error(`--device must be cpu or cuda, got '${device}'`);
  const shardFrames = intOption(a.strings['shard-frames'], 'shard-frames');
  const maxClipText = a.strings['max-clip-memory'];
  const maxClipGiB = maxClipText === undefined ? undefined : Number(maxClipText);
  if (maxClipGiB !== undefined && !(maxClipGiB > 0)) throw new Error(`--max-clip-memory must be a positive number of GiB, got '${String(maxClipText)}'`);
  const chunkText = a.strings['chunk-seconds'];
  const overlapText = a.strings['chunk-overlap'];
  if (overlapText !== undefined && chunkText === undefined) throw new Error('--chunk-overlap needs --chunk-seconds');
  const chunk = chunkText === undefined ? undefined : { seconds: Number(chunkText), ...(overlapText !== undefined ? { overlapSeconds: Number(overlapText) } : {}) };

  const hub = parseHubSource(dataPath);
  if (hub !== undefined && seed !== undefined && typeof seed !== 'number') throw new Error(`--seed: a hub: dataset shuffles as datasets does, with an integer seed, not '${seed}'`);
  const { layout, dataset: loaded } = await loadDataset(dataPath, {
    ...(a.strings.split !== undefined ? { split: a.strings.split } : {}),
    ...(a.strings.revision !== undefined ? { revision: a.strings.revision } : {}),
  });
  const alignments = alignmentDir === undefined ? undefined : loadAlignments(alignmentDir);
  const full = alignments === undefined ? loaded : loaded.filter((it) => alignments.has(it.id));
  if (alignments !== undefined) {
    if (full.length === 0) throw new Error(`--alignments ${alignmentDir}: none of the ${loaded.length} items of ${dataPath} has an alignment there (ids like '${loaded.length > 0 ? loaded.at(0).id : ''}')`);
    process.stderr.write(`${alignmentDir}: ${alignments.size} alignments; ${full.length} of ${loaded.length} items aligned${full.length < loaded.length ? ` (${loaded.length - full.length} left out)` : ''}\n`);
  }
  const dataset = selectDataset(full, layout, seed, limit);
  process.stderr.write(`${dataPath}: ${layout}, ${full.length} items${dataset.length !== full.length ? `, using ${dataset.length}` : ''}\n`);

  const modelOpts: LoadModelOptions = {
    // The conv layers are exposed only when the selection names them: every exposed output is computed and
    // copied in each run, fetched or not (8 % of the extraction time of wav2vec2-base on 10 s clips, bench/README).
    local: wantsLocalLayers(layers),
    ...(device !== undefined ? { device } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...(ffn !== undefined ? { ffn } : {}),
    ...(a.booleans['no-normalize'] ? { normalize: false } : {}),
    ...(a.booleans.quantized ? { quantized: true } : {}),
  };
  const model = await loadModel(modelSource, modelOpts);
  const progress = a.booleans['no-progress'] ? null : terminalProgress('extract');
  const onSigint = (): void => {
    progress?.stop();
    process.stderr.write(`\ninterrupted: finished shards are kept in ${out}; rerun the same command to resume\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  try {
    if (shard !== undefined) process.stderr.write(`shard ${shard.index}/${shard.count}${a.strings.shard === undefined ? ' (from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT)' : ''} of ${dataset.length} items into ${out}\n`);
    const res = await extractFeatures(model, dataset, {
      ...(shard !== undefined ? { shard } : {}),
      out,
      ...(span !== undefined && alignments !== undefined
        ? { span, alignments, ...(frameRule !== undefined ? { frameRule } : {}), ...(a.booleans['whole-span'] === true ? { middleThird: false } : {}) }
        : { pooling }),
      layers,
      ...(maxLength !== undefined ? { padding: { mode: 'max_length' as const, maxLength } } : {}),
      skipShort: a.booleans['skip-short'] ?? false,
      skipBad: a.booleans['skip-bad'] ?? false,
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(shardItems !== undefined ? { shardItems } : {}),
      ...(shardFrames !== undefined ? { shardFrames } : {}),
      ...(maxClipGiB !== undefined ? { maxClipBytes: maxClipGiB * 2 ** 30 } : {}),
      ...(chunk !== undefined ? { chunk } : {}),
      ...(localGrid !== undefined ? { localGrid } : {}),
      ...(progress !== null ? { onProgress: progress.onProgress } : {}),
    });
    progress?.stop();
    const meta = res.meta;
    if (res.alreadyComplete) {
      process.stderr.write(`${out} already holds this feature store (${meta.items.length} items, ${meta.layers.length} layers); nothing to do\n`);
    } else if (meta.pooling === 'segments') {
      const segments = meta.items.reduce((t, it) => t + (it.segments?.length ?? 0), 0);
      process.stderr.write(
        `wrote ${segments} ${span ?? ''} segments of ${meta.items.length} items x ${meta.layers.length} layers to ${out}${meta.skipped.length > 0 ? `, ${meta.skipped.length} skipped` : ''}; ` +
          `${res.audioSeconds.toFixed(1)} s of audio in ${formatDuration(res.seconds)}\n`,
      );
    } else {
      const rt = res.seconds > 0 ? (res.audioSeconds / res.seconds).toFixed(1) : '?';
      process.stderr.write(
        `wrote ${meta.items.length} items x ${meta.layers.length} layers (${meta.pooling}) to ${out}` +
          `${res.resumed > 0 ? ` (${res.resumed} resumed)` : ''}${meta.skipped.length > 0 ? `, ${meta.skipped.length} skipped` : ''}; ` +
          `${res.audioSeconds.toFixed(1)} s of audio in ${formatDuration(res.seconds)} (${rt}x real time)\n`,
      );
    }
    return 0;
  } finally {
    progress?.stop();
    process.removeListener('SIGINT', onSigint);
    await model.release();
  }
}
