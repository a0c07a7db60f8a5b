/**
 * The browser bridge must run where Electron is not installed: nothing reachable from
 * main/browser.ts may import `electron` (DESIGN §2). Checked on the source import graph.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const IMPORT = /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolveLocal(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base]) if (existsSync(candidate) && candidate.match(/\.tsx?$/)) return candidate;
  return null;
}

/** Every file reachable from `entry` through relative imports (type-only imports included), with its bare imports. */
function graph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    const bare: string[] = [];
    seen.set(file, bare);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (specifier.startsWith('.')) {
        const target = resolveLocal(file, specifier);
        if (!target) throw new Error(`${relative(root, file)} imports ${specifier}, which does not resolve`);
        queue.push(target);
      } else bare.push(specifier);
    }
  }
  return seen;
}

const electronImporters = (entry: string) =>
  [...graph(join(root, entry))].filter(([, bare]) => bare.some((s) => s === 'electron' || s.startsWith('electron/'))).map(([file]) => relative(root, file));

describe('browser bridge import graph', () => {
  it('reaches core, the emulator and the return page but never electron', () => {
    const files = [...graph(join(root, 'main/browser.ts')).keys()].map((f) => relative(root, f));
    expect(files).toEqual(expect.arrayContaining(['main/services.ts', 'main/bridge-server.ts', 'main/return-page.ts', 'main/core/index.ts']));
    expect(files.some((f) => f.startsWith('main/emulator/'))).toBe(true);
    expect(electronImporters('main/browser.ts')).toEqual([]);
  });

  it('the scanner does see electron where it is imported (the Electron entry)', () => {
    expect(electronImporters('main/index.ts')).toEqual(expect.arrayContaining(['main/index.ts', 'main/safe-shell.ts', 'main/window.ts']));
  });
});
