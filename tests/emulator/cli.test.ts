import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import Stripe from 'stripe';

describe('npm run emulator (cli.ts)', () => {
  it('prints one line with where it listens, serves the API, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/emulator/cli.ts', '--port', '0'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output: ${out}`)), 15_000);
      child.stdout.on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.split('\n')[0]);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const m = /^Stripe emulator listening on (http:\/\/127\.0\.0\.1:(\d+)) \(API key: (sk_test_\S+)\)$/.exec(line);
    expect(m, line).not.toBeNull();
    const stripe = new Stripe(m![3], { apiVersion: '2026-10-28.endive', host: '127.0.0.1', port: Number(m![2]), protocol: 'http', maxNetworkRetries: 0 });
    const c = await stripe.customers.create({ email: 'cli@example.com' });
    expect(c.id).toMatch(/^cus_/);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
  }, 30_000);
});
