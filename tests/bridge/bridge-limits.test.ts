/**
 * The bridge's limits: a connection cap, timeouts for slow headers and slow bodies, exactly-JSON
 * content types, and bodies core must never see (deep nesting, integers JSON cannot hold exactly)
 * answered with a clear 400 JSON error before they reach core.
 */
import { connect, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../main/core/ports';
import { createBridgeOpener, isJsonContentType, MAX_JSON_DEPTH, startBridgeServer, TOKEN_HEADER, unsafeJsonReason, type BridgeServer } from '../../main/bridge-server';
import { raw } from './http';

const warnings: string[] = [];
const logger: Logger = { info() {}, warn: (m) => warnings.push(m), error() {} };
const dispatched: Array<{ channel: string; input: unknown }> = [];
const core = {
  dispatch: async (channel: string, input: unknown) => {
    dispatched.push({ channel, input });
    return { ok: true as const, data: { channel } };
  },
  subscribe: () => () => {},
};

let base: string;
let bridge: BridgeServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'md-bridge-limits-'));
  await writeFile(join(base, 'index.html'), '<!doctype html><title>Mandate Desk</title>');
  bridge = await startBridgeServer({
    core: core as never,
    opener: createBridgeOpener({ logger }),
    rendererDir: base,
    logger,
    limits: { maxConnections: 3, headersTimeoutMs: 300, requestTimeoutMs: 600 },
  });
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  dispatched.length = 0;
});
afterAll(async () => {
  await bridge.stop();
  await rm(base, { recursive: true, force: true });
});

const invoke = (body: string, contentType: string | null = 'application/json') =>
  raw({
    port: bridge.port,
    path: '/api/invoke/app.info',
    method: 'POST',
    headers: { [TOKEN_HEADER]: bridge.token, ...(contentType === null ? {} : { 'content-type': contentType }) },
    body,
  });

/** A raw socket to the bridge; resolves with everything it received once the server closes it. */
function openSocket(): { socket: Socket; closed: Promise<string> } {
  const socket = connect(bridge.port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  return { socket, closed };
}
const connected = (socket: Socket) => new Promise<void>((resolve) => (socket.readyState === 'open' ? resolve() : socket.once('connect', () => resolve())));
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms))]);

describe('bridge test-only routes', () => {
  it('do not exist unless the bridge was started for an e2e run (testHooks)', async () => {
    const answer = await raw({ port: bridge.port, path: '/api/test/opened-urls', headers: { [TOKEN_HEADER]: bridge.token } });
    expect(answer.status).toBe(404);
    expect(answer.json()).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('bridge content type', () => {
  it('takes exactly application/json, with a UTF-8 charset at most', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"']) {
      expect((await invoke('{}', type)).status, type).toBe(200);
    }
    for (const type of ['application/jsonx', 'application/json-patch+json', 'application/json; charset=latin1', 'application/json; boundary=x', 'application/json, text/plain', 'text/plain', 'application/x-www-form-urlencoded', '']) {
      const answer = await invoke('{}', type);
      expect(answer.status, type).toBe(415);
      expect(answer.json(), type).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect((await invoke('{}', null)).status).toBe(415);
    expect(dispatched).toHaveLength(3);
    expect(isJsonContentType(undefined)).toBe(false);
  });
});

describe('bridge bodies core must never see', () => {
  const nested = (depth: number) => '{"x":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);

  it(`answers deeper nesting than ${MAX_JSON_DEPTH} with a clear 400, never 500, and does not call core`, async () => {
    expect((await invoke(nested(MAX_JSON_DEPTH))).status).toBe(200);
    expect(dispatched).toHaveLength(1);
    for (const body of [nested(MAX_JSON_DEPTH + 1), '{"x":' + '['.repeat(2_000) + '0' + ']'.repeat(2_000) + '}', '['.repeat(200_000) + ']'.repeat(200_000)]) {
      const answer = await invoke(body);
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(answer.json()).toEqual({ ok: false, error: { code: 'invalid_input', message: `The input is nested more than ${MAX_JSON_DEPTH} levels deep.` } });
    }
    expect(dispatched).toHaveLength(1);
  });

  it('answers integers JSON cannot hold exactly ("BigInt") and non-finite numbers with a clear 400', async () => {
    expect((await invoke('{"amount": 9007199254740991, "rate": 1.5}')).status).toBe(200);
    for (const body of ['{"amount": 12345678901234567890}', '{"a":[1,2,{"b":-9007199254740993}]}', '{"amount": 1e400}']) {
      const answer = await invoke(body);
      expect(answer.status, body).toBe(400);
      expect(answer.json(), body).toEqual({ ok: false, error: { code: 'invalid_input', message: 'The input holds a number too large to be exact.' } });
    }
    expect(dispatched).toHaveLength(1);
    expect(unsafeJsonReason({ ok: ['fine', 1, null, true] })).toBeNull();
  });
});

describe('bridge connection limits', () => {
  it('closes connections beyond the cap at once, and serves again when some are gone', async () => {
    const held = [openSocket(), openSocket(), openSocket()];
    await Promise.all(held.map(({ socket }) => connected(socket)));
    await new Promise((r) => setTimeout(r, 50));
    const extra = openSocket();
    extra.socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\n\r\n`);
    expect(await within(extra.closed, 3_000)).toBe(''); // dropped without an answer
    expect(warnings).toContain('bridge connection refused: too many open connections');

    for (const { socket } of held) socket.destroy();
    await Promise.all(held.map(({ closed }) => closed));
    await new Promise((r) => setTimeout(r, 50));
    expect((await raw({ port: bridge.port, path: '/' })).status).toBe(200);
  });

  it('answers 408 and closes a connection whose headers never finish', async () => {
    const slow = openSocket();
    await connected(slow.socket);
    slow.socket.write(`POST /api/invoke/app.info HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\n`); // …and nothing more
    expect(await within(slow.closed, 5_000)).toMatch(/^HTTP\/1\.1 408/);
  });

  it('answers 408 and closes a connection whose body never finishes, without calling core', async () => {
    const slow = openSocket();
    await connected(slow.socket);
    slow.socket.write(
      `POST /api/invoke/app.info HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\n${TOKEN_HEADER}: ${bridge.token}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":`,
    );
    expect(await within(slow.closed, 5_000)).toMatch(/^HTTP\/1\.1 408/);
    expect(dispatched).toEqual([]);
  });
});
