/**
 * Keeping audit entries small whatever a caller sends: every string is cut, nesting and counts are
 * capped, and the whole entry fits in `AUDIT_ENTRY_MAX_BYTES` of JSON. A forged payload is never
 * stored: a refusal keeps a summary of it (its shape and a SHA-256 of its canonical form).
 * Nothing here throws, whatever the input (BigInt, NaN, deep nesting, `__proto__` keys, huge strings).
 */
import { createHash } from 'node:crypto';
import type { Role, StaffView } from '../../preload/contract';
import type { AuditDraft } from './dispatch';

/** The largest entry (as UTF-8 JSON) the audit store is asked to keep. */
export const AUDIT_ENTRY_MAX_BYTES = 8 * 1024;
export const AUDIT_ACTION_MAX_CHARS = 80;
export const AUDIT_SUMMARY_MAX_CHARS = 300;
export const AUDIT_ID_MAX_CHARS = 120;

interface ValueLimits {
  string: number;
  key: number;
  keys: number;
  items: number;
  depth: number;
}
/** Tried in order; the first that makes the entry fit wins, else the details are replaced by their digest. */
const LIMIT_STEPS: readonly ValueLimits[] = [
  { string: 500, key: 80, keys: 40, items: 40, depth: 6 },
  { string: 120, key: 40, keys: 12, items: 8, depth: 4 },
];

const OUTCOMES: ReadonlySet<string> = new Set(['ok', 'refused', 'error']);
const ROLES: ReadonlySet<string> = new Set<Role>(['staff', 'manager']);

/** `text` cut to `max` characters, saying how long it was; never ends in half a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head}… [${text.length} characters]`;
}

/** A copy holding only JSON values, with strings, keys, counts and depth capped. */
function boundValue(value: unknown, limits: ValueLimits, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return cutText(value, limits.string);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
      return value;
    case 'undefined':
      return undefined;
    case 'symbol':
    case 'function':
      return `[${typeof value}]`;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (depth >= limits.depth) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, limits.items).map((item) => boundValue(item, limits, depth + 1) ?? null);
    if (value.length > limits.items) items.push(`… ${value.length - limits.items} more`);
    return items;
  }
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value as object);
  for (const key of keys.slice(0, limits.keys)) {
    const bounded = boundValue((value as Record<string, unknown>)[key], limits, depth + 1);
    // defineProperty: a key named __proto__ becomes a plain own property, never the prototype
    if (bounded !== undefined) Object.defineProperty(out, cutText(key, limits.key), { value: bounded, enumerable: true, writable: true, configurable: true });
  }
  if (keys.length > limits.keys) out['…'] = `${keys.length - limits.keys} more keys`;
  return out;
}

function boundActor(actor: StaffView | null): StaffView | null {
  if (!actor || typeof actor !== 'object') return null;
  const text = (value: unknown, max: number) => cutText(typeof value === 'string' ? value : String(value), max);
  return {
    id: text(actor.id, AUDIT_ID_MAX_CHARS),
    name: text(actor.name, 120),
    role: ROLES.has(actor.role) ? actor.role : 'staff',
    active: actor.active === true,
    createdAt: text(actor.createdAt, 40),
  };
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * The draft as the audit store may keep it: every string capped, details reduced to bounded JSON,
 * and the whole entry within `AUDIT_ENTRY_MAX_BYTES` (details too big even when cut are replaced by
 * their size and digest). Never throws.
 */
export function boundAuditDraft(draft: AuditDraft): AuditDraft {
  const base = {
    actor: boundActor(draft.actor),
    action: cutText(typeof draft.action === 'string' ? draft.action : 'unknown', AUDIT_ACTION_MAX_CHARS),
    outcome: OUTCOMES.has(draft.outcome) ? draft.outcome : ('error' as const),
    customerId: typeof draft.customerId === 'string' ? cutText(draft.customerId, AUDIT_ID_MAX_CHARS) : null,
    summary: cutText(typeof draft.summary === 'string' ? draft.summary : '', AUDIT_SUMMARY_MAX_CHARS),
  };
  for (const limits of LIMIT_STEPS) {
    const bounded = boundValue(draft.details ?? {}, limits, 0);
    const details = bounded && typeof bounded === 'object' && !Array.isArray(bounded) ? (bounded as Record<string, unknown>) : { value: bounded ?? null };
    const entry = { ...base, details };
    if (jsonBytes(entry) <= AUDIT_ENTRY_MAX_BYTES) return entry;
  }
  return { ...base, details: { truncated: true, original: digestPayload(draft.details) } };
}

// ---------------------------------------------------------------- what a refusal keeps of a payload

/** Values under these keys are never hashed (a 4–8 digit PIN's hash is trivially reversed). */
const SECRET_KEYS: ReadonlySet<string> = new Set(['pin']);
/** Beyond this many values the digest covers only a prefix (and says so), so hashing stays fast. */
const MAX_DIGEST_NODES = 1_000_000;
const HASH_CHUNK_CHARS = 1 << 20;

export interface PayloadDigest {
  /** SHA-256 (hex) of the canonical form: JSON with sorted keys, `123n` for a BigInt, `NaN`/`Infinity`/`undefined` as written, PINs as "[redacted]". */
  sha256: string;
  /** Length of the canonical form, in characters. */
  chars: number;
  /** How deep the deepest value sits (0: not an object). */
  depth: number;
  /** 'object', 'array', 'string', 'bigint', … */
  type: string;
  /** False when the payload was too big to hash whole (the hash covers its first values). */
  complete: boolean;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * A SHA-256 of any value's canonical form, walked with an explicit stack (no recursion, so any
 * depth works) and fed to the hash in chunks. Shared objects and cycles are written once, then as
 * "[seen]". Never throws: a value that cannot be read (a throwing getter, in-process only) ends the
 * walk, marked incomplete.
 */
export function digestPayload(value: unknown): PayloadDigest {
  const hash = createHash('sha256');
  let buffer = '';
  let chars = 0;
  let nodes = 0;
  let maxDepth = 0;
  let complete = true;
  const emit = (text: string) => {
    buffer += text;
    chars += text.length;
    if (buffer.length >= HASH_CHUNK_CHARS) {
      hash.update(buffer, 'utf8');
      buffer = '';
    }
  };
  const seen = new WeakSet<object>();
  type Work = string | { value: unknown; depth: number };
  const stack: Work[] = [{ value, depth: 0 }];
  try {
    while (stack.length > 0) {
      const work = stack.pop()!;
      if (typeof work === 'string') {
        emit(work);
        continue;
      }
      if (++nodes > MAX_DIGEST_NODES) {
        emit('…');
        complete = false;
        break;
      }
      const { value: v, depth } = work;
      if (depth > maxDepth) maxDepth = depth;
      if (typeof v === 'string') emit(JSON.stringify(v));
      else if (typeof v === 'number') emit(Object.is(v, -0) ? '-0' : String(v));
      else if (typeof v === 'bigint') emit(`${v}n`);
      else if (typeof v === 'boolean' || v === undefined) emit(String(v));
      else if (typeof v === 'symbol' || typeof v === 'function') emit(`[${typeof v}]`);
      else if (v === null) emit('null');
      else if (seen.has(v)) emit('"[seen]"');
      else {
        seen.add(v);
        // how many children may still be queued without passing the node cap
        const room = Math.max(0, MAX_DIGEST_NODES - nodes);
        // structured clone (Electron IPC) also carries these; they have no own keys to walk
        const list = v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v.values()] : Array.isArray(v) ? v : null;
        if (v instanceof Date) emit(`Date(${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()})`);
        else if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) emit(`${Object.prototype.toString.call(v)}(${createHash('sha256').update(new Uint8Array(v instanceof ArrayBuffer ? v : v.buffer, v instanceof ArrayBuffer ? 0 : v.byteOffset, v.byteLength)).digest('hex')})`);
        else if (list) {
          if (!Array.isArray(v)) emit(v instanceof Map ? 'Map' : 'Set');
          const count = Math.min(list.length, room + 1);
          stack.push(']');
          for (let i = count - 1; i >= 0; i--) {
            stack.push({ value: list[i], depth: depth + 1 });
            if (i > 0) stack.push(',');
          }
          stack.push('[');
        } else {
          const keys = Object.keys(v).sort();
          const count = Math.min(keys.length, room + 1);
          stack.push('}');
          for (let i = count - 1; i >= 0; i--) {
            const key = keys[i];
            stack.push(SECRET_KEYS.has(key) ? '"[redacted]"' : { value: (v as Record<string, unknown>)[key], depth: depth + 1 });
            stack.push(`${i > 0 ? ',' : ''}${JSON.stringify(key)}:`);
          }
          stack.push('{');
        }
      }
    }
  } catch {
    emit('…');
    complete = false;
  }
  hash.update(buffer, 'utf8');
  return { sha256: hash.digest('hex'), chars, depth: maxDepth, type: typeName(value), complete };
}
