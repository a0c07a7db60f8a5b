/**
 * Rules that can be checked on the source text: core and store never import `electron`, the
 * renderer never imports from `main/` (DESIGN §1), and only consents.ts appends consent records,
 * which nothing edits or deletes (docs/ARCHITECTURE.md §3a).
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

async function sourceFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isFile() && SOURCE.test(e.name)).map((e) => join(e.parentPath, e.name));
}

/** Every module specifier in the file: static and dynamic imports, re-exports, require(). */
function importedModules(source: string): string[] {
  const specifiers: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) specifiers.push(match[1]);
  return specifiers;
}

const isElectron = (specifier: string) => specifier === 'electron' || specifier.startsWith('electron/');

describe('importedModules (the scanner itself)', () => {
  it('finds every import form', () => {
    const text = [
      "import { app } from 'electron';",
      'import type { X } from "./a";',
      "import './side-effect';",
      "export * from '../b';",
      "export { y } from '../../main/c';",
      "const m = await import('electron/main');",
      "const r = require('node:fs');",
      "import {\n  multi,\n  line,\n} from '../../main/core/views';",
    ].join('\n');
    expect(importedModules(text).sort()).toEqual(
      ['electron', './a', './side-effect', '../b', '../../main/c', 'electron/main', 'node:fs', '../../main/core/views'].sort(),
    );
  });
});

describe('layering', () => {
  it('main/core and main/store never import electron', async () => {
    const files = [...(await sourceFiles('main/core')), ...(await sourceFiles('main/store'))];
    expect(files.length).toBeGreaterThan(5);
    const offenders: string[] = [];
    for (const file of files) {
      const imports = importedModules(await readFile(file, 'utf8'));
      if (imports.some(isElectron)) offenders.push(relative(root, file));
    }
    expect(offenders).toEqual([]);
  });

  it('renderer never imports from main/', async () => {
    const files = await sourceFiles('renderer');
    expect(files.length).toBeGreaterThan(0);
    const mainDir = join(root, 'main');
    const offenders: string[] = [];
    for (const file of files) {
      for (const specifier of importedModules(await readFile(file, 'utf8'))) {
        const reachesMain = specifier.startsWith('.')
          ? resolve(dirname(file), specifier).startsWith(mainDir + '/') || resolve(dirname(file), specifier) === mainDir
          : /^(?:@\/|~\/|\/)?main(?:\/|$)/.test(specifier);
        if (reachesMain) offenders.push(`${relative(root, file)} → ${specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

/** Writes to the consents array: assigning it, mutating methods, or assigning into an element. */
const CONSENT_WRITE = /\.consents\s*(?:=(?!=)|\.\s*(?:push|splice|pop|shift|unshift|sort|reverse|fill|copyWithin)\b|\.\s*length\s*=(?!=)|\[[^\]]*\]\s*(?:\.\s*\w+\s*)?(?:=(?!=)|\+=|-=))/;

describe('consent records are append-only', () => {
  it('the write detector recognises writes and ignores reads', () => {
    for (const write of ['draft.consents.push(r)', 'data.consents = []', 'draft.consents.splice(0, 1)', 'd.consents[i] = x', 'd.consents[0].text = "x"', 'draft.consents.length = 0'])
      expect(CONSENT_WRITE.test(write), write).toBe(true);
    for (const read of ['data.consents.find((c) => c.id === id)', 'data.consents.filter(Boolean)', 'draft.consents[0].id === id', 'consents: []'])
      expect(CONSENT_WRITE.test(read), read).toBe(false);
  });

  it('only main/core/consents.ts (and the 0.1 folder conversion, copying) writes to the consents array, and it only appends', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles('main')) {
      const path = relative(root, file);
      const text = await readFile(file, 'utf8');
      // store-migration.ts copies the records of a 0.1 folder as they are (and checks them equal after)
      if (path === join('main', 'core', 'consents.ts') || path === join('main', 'core', 'store-migration.ts')) {
        const writes = [...text.matchAll(new RegExp(CONSENT_WRITE.source, 'g'))].map((m) => m[0].replace(/\s+/g, ''));
        if (writes.some((w) => w !== '.consents.push')) offenders.push(`${path}: ${writes.join(', ')}`);
      } else if (CONSENT_WRITE.test(text)) {
        offenders.push(path);
      }
    }
    expect(offenders).toEqual([]);
  });
});
