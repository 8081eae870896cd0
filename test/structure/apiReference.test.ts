/**
 * docs/API.md is the reference docs/apiReference.ts builds from the doc comments: committed current (rerun
 * `npm run docs:api` after changing a public name or its comment), with every public name documented.
 */
import * as fs from 'node:fs';
import { API_FILE, apiReference } from '../../docs/apiReference';

test('docs/API.md is current and every public name in it is documented', () => {
  const { markdown, undocumented } = apiReference();
  expect(undocumented).toEqual([]);
  const committed = fs.existsSync(API_FILE) ? fs.readFileSync(API_FILE, 'utf8') : '';
  // a boolean first, so a stale file fails with the fix in the message rather than a 5000-line diff
  expect({ current: committed === markdown, fix: 'npm run docs:api' }).toEqual({ current: true, fix: 'npm run docs:api' });
  expect(markdown).toContain('### analyzeLayers');
  expect(markdown).toMatch(/\| `yTitle` \| `string` \| /);
});
