/**
 * The Stripe key never reaches a child process: each entry takes it out of the environment at start,
 * and the system browser opener is spawned with an environment without it. The opener test runs the
 * real spawn path with a stand-in `xdg-open`/`open` on PATH that writes down what it received.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../main/core/ports';
import { createBridgeOpener, systemBrowserCommand } from '../../main/bridge-server';
import { environmentForChild, takeStripeKeyFromEnv } from '../../main/secret-env';

const KEY = 'sk_test_51ChildMustNeverSeeThis0123456789';
const warnings: string[] = [];
const logger: Logger = { info() {}, warn: (m, f) => warnings.push(m + JSON.stringify(f ?? {})), error() {} };
const saved = { ...process.env };
let base: string;

beforeEach(async () => {
  warnings.length = 0;
  base = await mkdtemp(join(tmpdir(), 'md-child-env-'));
});
afterEach(async () => {
  process.env = { ...saved };
  await rm(base, { recursive: true, force: true });
});

async function waitForFile(path: string, timeoutMs = 10_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    try {
      const text = await readFile(path, 'utf8');
      if (text.includes('END-OF-ENV')) return text;
    } catch {
      // not written yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`the stand-in opener did not run: ${warnings.join('; ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the Stripe key and child processes', () => {
  it('takes the key out of the process environment, so a child started afterwards does not inherit it', () => {
    process.env.STRIPE_SECRET_KEY = `  ${KEY}\n`;
    expect(takeStripeKeyFromEnv()).toBe(KEY);
    expect(process.env.STRIPE_SECRET_KEY).toBeUndefined();
    expect('STRIPE_SECRET_KEY' in process.env).toBe(false);
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(process.env.STRIPE_SECRET_KEY ?? "absent")'], { encoding: 'utf8' });
    expect(child.stdout).toBe('absent');
    // nothing there, or only blanks: no key (training mode)
    process.env.STRIPE_SECRET_KEY = '   ';
    expect(takeStripeKeyFromEnv()).toBeNull();
    expect(process.env.STRIPE_SECRET_KEY).toBeUndefined();
  });

  it('a child environment keeps everything but the secrets', () => {
    const env = environmentForChild({ PATH: '/usr/bin', DISPLAY: ':0', STRIPE_SECRET_KEY: KEY });
    expect(env).toEqual({ PATH: '/usr/bin', DISPLAY: ':0' });
  });

  it('the system browser opener is spawned without the key, even if the key got back into our environment', async () => {
    const [command] = systemBrowserCommand('https://checkout.stripe.com/c/pay/cs_test_1');
    const out = join(base, 'opener-env.txt');
    // The stand-in browser: records its arguments and its whole environment, then exits.
    await writeFile(join(base, command), `#!/bin/sh\n{ echo "ARGS:$*"; env; echo END-OF-ENV; } > "${out}"\n`);
    await chmod(join(base, command), 0o755);
    process.env.PATH = `${base}${delimiter}${process.env.PATH ?? ''}`;
    process.env.STRIPE_SECRET_KEY = KEY;
    process.env.MANDATE_DESK_CHILD_MARKER = 'inherited';

    const opener = createBridgeOpener({ openWithSystem: true, logger });
    const url = 'https://checkout.stripe.com/c/pay/cs_test_1';
    await opener.open(url, ['https://checkout.stripe.com']);
    const seen = await waitForFile(out);

    expect(seen).toContain(`ARGS:${url}`);
    expect(seen).toContain('MANDATE_DESK_CHILD_MARKER=inherited'); // it did get our environment…
    expect(seen).not.toContain('STRIPE_SECRET_KEY'); // …but not the key
    expect(seen).not.toContain(KEY);
  });
});
