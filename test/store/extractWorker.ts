/**
 * A child process for the interruption tests: extracts every .wav file of a folder (sorted) with the
 * deterministic test model, slowly enough to be killed midway. Usage: node extractWorker.js DATA OUT POOLING
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractFeatures } from '../../src/store/extractFeatures';
import { makeTestModel } from './extractTestModel';

async function main(): Promise<void> {
  const [data, out, pooling] = process.argv.slice(2);
  if (data === undefined || out === undefined || (pooling !== 'mean' && pooling !== 'frames')) throw new Error('usage: DATA OUT mean|frames');
  const files = fs.readdirSync(data).filter((f) => f.endsWith('.wav')).sort();
  const items = files.map((f) => ({ id: f.replace(/\.wav$/, ''), path: path.join(data, f), label: f.slice(0, 1) }));
  const res = await extractFeatures(makeTestModel({ delayMs: 25 }), items, { out, pooling, layers: ['all', 'local'], shardItems: 3, shardFrames: 40 });
  process.stdout.write(`done computed=${res.computed} resumed=${res.resumed}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
