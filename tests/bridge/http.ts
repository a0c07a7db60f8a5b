/** Raw HTTP for the bridge tests: full control over Host, Origin and the path as sent. */
import { request, type IncomingMessage } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  json<T = unknown>(): T;
}

export interface RawRequest {
  port: number;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Connect to this address instead of 127.0.0.1. */
  address?: string;
}

export function raw(options: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.address ?? '127.0.0.1',
        port: options.port,
        path: options.path,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${options.port}`, ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A server-sent events subscription that collects `data:` frames as parsed JSON. */
export interface EventStream {
  status: number;
  frames: unknown[];
  waitFor(predicate: (frame: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
  close(): void;
}

export function openEvents(port: number, path: string, headers: Record<string, string> = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, accept: 'text/event-stream', ...headers } }, (res) => {
      const frames: unknown[] = [];
      const waiters: Array<() => void> = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data: '))
            .map((line) => line.slice(6))
            .join('\n');
          if (data) frames.push(JSON.parse(data));
        }
        for (const waiter of [...waiters]) waiter();
      });
      resolve({
        status: res.statusCode ?? 0,
        frames,
        waitFor(predicate, timeoutMs = 5000) {
          return new Promise((done, fail) => {
            const check = () => {
              const found = frames.find(predicate);
              if (found === undefined) return false;
              clearTimeout(timer);
              waiters.splice(waiters.indexOf(check), 1);
              done(found);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(check), 1);
              fail(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(frames).slice(0, 500)}`));
            }, timeoutMs);
            if (!check()) waiters.push(check);
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
