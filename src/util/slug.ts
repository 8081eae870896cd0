/**
 * A folder-name-safe rendering of a model id, a path or any text: runs of characters other than ASCII
 * letters and digits become one `-`, with none at either end (`facebook/wav2vec2-base` ->
 * `facebook-wav2vec2-base`). Notebooks name output folders with it, so features of different runs never mix.
 */
export function slug(text: string): string {
  const s = text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (s.length === 0) throw new Error(`slug: '${text}' has no letters or digits to name a folder with`);
  return s;
}
