/**
 * How `layerwise extract --shard I/N` splits a dataset: every item goes to one of N shards so that the shards
 * hold about equal audio time and finish together (longest items first, each to the shard with the least audio
 * so far: the LPT rule), deterministically (ties by dataset position and shard index). Durations come from the
 * segment bounds, else the file header (WAV, FLAC), else the file size at 16 kHz 16-bit mono.
 */
import * as fs from 'node:fs';
import { audioFileSeconds } from '../data/audio/audioFileSeconds';

/** What the planner needs of an item: a segment window or a file (items with samples count those). */
export interface PlannedItem {
  readonly id: string;
  readonly path?: string;
  readonly samples?: Float32Array;
  readonly start?: number;
  readonly end?: number;
}

/** One shard of a plan: the dataset positions it extracts (ascending) and their audio seconds. */
export interface ShardPlan {
  readonly index: number;
  readonly positions: readonly number[];
  readonly seconds: number;
}

/** Seconds of audio of an item, as the planner estimates it (see the module comment). */
export function itemSeconds(item: PlannedItem, sampleRate = 16000): number {
  if (item.samples !== undefined) return item.samples.length / sampleRate;
  const file = item.path;
  const whole = file === undefined ? undefined : audioFileSeconds(file);
  const fileSeconds = whole ?? (file !== undefined && fs.existsSync(file) ? fs.statSync(file).size / 32000 : 0);
  if (item.end !== undefined) return Math.max(0, item.end - (item.start ?? 0));
  return Math.max(0, fileSeconds - (item.start ?? 0));
}

/** Split `items` into `count` shards of near-equal audio time. */
export function planShards(items: readonly PlannedItem[], count: number, seconds: readonly number[] = items.map((it) => itemSeconds(it))): ShardPlan[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`planShards: the shard count must be a positive integer, got ${count}`);
  if (count > items.length) throw new Error(`planShards: ${count} shards for ${items.length} items; every shard needs at least one item`);
  if (seconds.length !== items.length) throw new Error(`planShards: ${seconds.length} durations for ${items.length} items`);
  const order = items.map((_, i) => i).sort((a, b) => (seconds[b] ?? 0) - (seconds[a] ?? 0) || a - b);
  const load = new Array<number>(count).fill(0);
  const members: number[][] = Array.from({ length: count }, () => []);
  for (const [rank, pos] of order.entries()) {
    // the first `count` items seed one shard each, so no shard is left empty
    let best = rank < count ? rank : 0;
    if (rank >= count) for (let s = 1; s < count; s++) if ((load[s] ?? 0) < (load[best] ?? 0)) best = s;
    load[best] = (load[best] ?? 0) + (seconds[pos] ?? 0);
    members[best]?.push(pos);
  }
  return members.map((m, index) => ({ index, positions: [...m].sort((a, b) => a - b), seconds: load[index] ?? 0 }));
}

/** `I/N` (0-based I) as given to `--shard`, or SLURM's array task id and count when those are set. */
export function parseShard(text: string | undefined, env: NodeJS.ProcessEnv = process.env): { index: number; count: number } | undefined {
  const given = text ?? (env['SLURM_ARRAY_TASK_ID'] !== undefined && env['SLURM_ARRAY_TASK_COUNT'] !== undefined ? `${env['SLURM_ARRAY_TASK_ID']}/${env['SLURM_ARRAY_TASK_COUNT']}` : undefined);
  if (given === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(given);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || !(count >= 1) || !(index < count)) {
    throw new Error(`--shard must be I/N with 0 <= I < N (${text === undefined ? 'from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT' : 'given'}: '${given}')`);
  }
  return { index, count };
}
