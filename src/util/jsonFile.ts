/**
 * JSON files that fitted models and stores write and read: written atomically, read with errors that name
 * the file and say whether it was missing or not JSON.
 */
import { readFileSync } from 'node:fs';
import { errorMessage } from './describeError';
import { writeFileAtomic } from './writeFileAtomic';

/** Write `value` as JSON to `path` atomically (temporary file + rename). */
export function writeJSONFile(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value)}\n`);
}

/** Parse the JSON file at `path`; `what` names the expected content in errors (e.g. 'PCA model'). */
export function readJSONFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read ${what} (${errorMessage(e)})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${errorMessage(e)})`);
  }
}
