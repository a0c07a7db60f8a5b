/**
 * docs/SECURITY.md maps each protection to the test that fails when it breaks. This keeps the map
 * honest: every `tests/… › "name"` it cites is a file that exists and a test in it with that name
 * (a name ending in "…" is a prefix), and every checklist row names at least one test file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'SECURITY.md'), 'utf8');
const flat = doc.replace(/\s+/g, ' ');

/** Test titles in a file, as written in `it('…')` / `it("…")`, unescaped. */
function titlesIn(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  return [...source.matchAll(/\bit\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)].map((m) => m[2].replace(/\\(.)/g, '$1'));
}

describe('docs/SECURITY.md', () => {
  it('cites only test files and test names that exist', () => {
    const citations = [...flat.matchAll(/`(tests\/[^`]+\.ts)`\s*›\s*((?:"[^"]+"(?:\s*,\s*|\s*,?\s*and\s*)?)+)/g)];
    expect(citations.length).toBeGreaterThan(20);
    for (const [, file, names] of citations) {
      expect(existsSync(join(ROOT, file)), file).toBe(true);
      const titles = titlesIn(file);
      for (const [, name] of names.matchAll(/"([^"]+)"/g)) {
        const wanted = name.endsWith('…') ? name.slice(0, -1) : name;
        const found = titles.some((title) => (name.endsWith('…') ? title.startsWith(wanted) : title === wanted));
        expect(found, `${file} › "${name}"`).toBe(true);
      }
    }
    for (const [, file] of flat.matchAll(/`(tests\/[^`]+\.ts)`/g)) expect(existsSync(join(ROOT, file)), file).toBe(true);
  });

  it('gives every checklist row a test, and does not point at ../shared', () => {
    const table = doc.slice(doc.indexOf('| Checklist item |'));
    const rows = table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Checklist item') && !line.startsWith('| ---'));
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const row of rows) expect(row.split('|')[3], row).toMatch(/`tests\/[^`]+\.ts`/);
    for (const item of ['context isolation', 'sandboxing', 'Node.js integration', 'webSecurity', 'Content Security Policy', 'custom protocol', 'navigation', 'new windows', 'webview', 'permission', 'openExternal', 'IPC', 'IpcRendererEvent', 'safeStorage', 'fuses', 'DevTools']) {
      expect(rows.some((row) => row.split('|')[1].toLowerCase().includes(item.toLowerCase())), item).toBe(true);
    }
    expect(doc).not.toContain('../shared');
  });
});
