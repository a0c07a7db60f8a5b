/**
 * The lint rules that keep the emulator layered really fire: an import against DESIGN §1's table or
 * §5's direction, and an import cycle, are errors (checked with ESLint's API on sources as they would be).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('emulator layering (lint)', () => {
  it('the emulator as it is passes', async () => {
    const file = 'main/emulator/resources/customers.ts';
    expect(await ruleIds(file, readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('importing the app from the emulator, or the server from a resource, or a resource from the engine, is refused', async () => {
    expect((await ruleIds('main/emulator/resources/probe.ts', "import { createCore } from '../../core/index.js';\nexport const x = createCore;\n")).join('\n')).toMatch(/import-x\/no-restricted-paths: .*main\/emulator imports nothing of ours/);
    expect((await ruleIds('main/emulator/resources/probe.ts', "import { handleRequest } from '../http/server.js';\nexport const x = handleRequest;\n")).join('\n')).toMatch(/import-x\/no-restricted-paths: .*Resources never import the server/);
    expect((await ruleIds('main/emulator/engine/probe.ts', "import { customers } from '../resources/customers.js';\nexport const x = customers;\n")).join('\n')).toMatch(/import-x\/no-restricted-paths: .*engine knows no resource/);
  });

  it('an import cycle is refused', async () => {
    // invoices.ts imports payment-intents.ts; payment-intents importing invoices back would be a cycle
    const file = 'main/emulator/resources/payment-intents.ts';
    const code = `import { invoices } from './invoices.js';\nexport const back = invoices;\n${readFileSync(file, 'utf8')}`;
    expect((await ruleIds(file, code)).join('\n')).toMatch(/import-x\/no-cycle/);
  });
});

describe('DESIGN §1 import table (lint)', () => {
  it('core may not import the shell, preload beyond the contract, or the renderer; the store nothing of ours; the renderer nothing of main', async () => {
    const errors = async (file: string, from: string) => (await ruleIds(file, `import * as m from '${from}';\nexport const x = m;\n`)).filter((r) => r.startsWith('import-x/no-restricted-paths'));
    expect(await errors('main/core/probe.ts', '../window.js')).toHaveLength(1);
    expect(await errors('main/core/probe.ts', '../../preload/index.js')).toHaveLength(1);
    expect(await errors('main/core/probe.ts', '../../preload/contract.js')).toHaveLength(0);
    expect(await errors('main/core/probe.ts', '../store/json-store.js')).toHaveLength(0);
    expect(await errors('main/store/probe.ts', '../core/errors.js')).toHaveLength(1);
    expect(await errors('renderer/probe.ts', '../main/core/errors.js')).toHaveLength(1);
  });
});
