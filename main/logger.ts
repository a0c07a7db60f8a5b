/**
 * The app's logger: JSON lines appended to a file in the data dir, and a short line on stderr
 * (stdout stays free for the browser bridge's URL line). Never writes a secret: Stripe keys and
 * tokens found anywhere in a message or field are masked, and fields named like secrets are dropped.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from './core/ports';

/** Stripe secret/restricted/publishable keys, webhook secrets, and client secrets. */
const SECRET_PATTERN = /\b(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9_]+|\bwhsec_[A-Za-z0-9_]+|\b(?:seti|pi|cs)_[A-Za-z0-9]+_secret_[A-Za-z0-9_]+/g;
const SECRET_FIELD = /(?:^|_|-)(?:key|secret|token|password|pin|authorization|cookie)$|^(?:apikey|api_key|secretkey|stripekey)$/i;

export function maskSecrets(text: string): string {
  return text.replace(SECRET_PATTERN, (match) => `${match.slice(0, match.indexOf('_') + 1)}[redacted]`);
}

function redactFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactFields(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, v]) => [key, SECRET_FIELD.test(key) ? '[redacted]' : redactFields(v, depth + 1)]),
  );
}

export interface LoggerOptions {
  /** JSON-lines file; omitted: stderr only. */
  file?: string;
  /** Also print to stderr (default true). */
  console?: boolean;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions): Logger {
  const now = options.now ?? (() => new Date());
  if (options.file) mkdirSync(dirname(options.file), { recursive: true });
  const write = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => {
    const safeMessage = maskSecrets(message);
    const safeFields = fields ? (redactFields(fields) as Record<string, unknown>) : undefined;
    const at = now().toISOString();
    if (options.file) {
      try {
        appendFileSync(options.file, JSON.stringify({ at, level, message: safeMessage, ...(safeFields ? { fields: safeFields } : {}) }) + '\n', { mode: 0o600 });
      } catch {
        // A full disk must not take the app down with it; stderr still has the line.
      }
    }
    if (options.console !== false) {
      process.stderr.write(`[${at}] ${level.toUpperCase()} ${safeMessage}${safeFields ? ` ${JSON.stringify(safeFields)}` : ''}\n`);
    }
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}
