/**
 * A full disk: every write error names the file it was writing (ENOSPC from `write` names none by itself), and
 * the run leaves nothing that looks finished. The disk is a 256 KiB tmpfs mounted for the test, which needs root
 * (CI runs as root; elsewhere the test is skipped and says so).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractFeatures, type ExtractItem } from '../../src/store/extractFeatures';
import { makeTestModel, testClip } from './extractTestModel';

const asRoot = process.getuid?.() === 0;
const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-full-'));
let mounted = false;

beforeAll(() => {
  if (!asRoot) return;
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
  mounted = true;
});
afterAll(() => {
  if (mounted) execFileSync('umount', [mount]);
  fs.rmSync(mount, { recursive: true, force: true });
});

(asRoot ? test : test.skip)('extraction onto a full disk fails naming the file, and leaves no finished store', async () => {
  // 400 clips of 2 s in frame shards: 100 frames x 4 features x 4 bytes x 4 layers per clip, far more than fits.
  const items: ExtractItem[] = Array.from({ length: 400 }, (_, k) => ({ id: `clip${k}`, samples: testClip(32000, k) }));
  const out = path.join(mount, 'store');
  await expect(extractFeatures(makeTestModel(), items, { out, pooling: 'frames', shardItems: 4 })).rejects.toThrow(
    new RegExp(`${mount.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/store/\\S+: cannot (write|create)[^]*(ENOSPC|no space left)`, 'i'),
  );
  expect(fs.existsSync(path.join(out, 'meta.json'))).toBe(false);
});
