/** In-memory state of the emulator, plus its JSON persistence (atomic temp+fsync+rename). */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

const SCHEMA_VERSION = 1;

export type Outcome = 'succeed' | 'decline' | 'unavailable' | 'authentication_required';

export interface OutcomeRule {
  paymentMethod?: string;
  customer?: string;
  outcome: Outcome;
  remaining: number;
}

export interface RefundRule {
  outcome: 'succeed' | 'fail';
  remaining: number;
}

export interface IdemRecord {
  key: string;
  method: string;
  path: string;
  fingerprint: string;
  requestId: string;
  status: number;
  body: string;
  createdAt: number; // ms, wall clock
}

export interface PersistedState {
  schemaVersion: number;
  savedAt: number;
  clockOffset: number;
  objects: Record<string, Obj[]>;
  internal: Record<string, Obj>;
  idempotency: IdemRecord[];
  outcomes: OutcomeRule[];
  refundOutcomes: RefundRule[];
}

const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

export class Store {
  readonly objects = new Map<string, Obj>();
  /** kind (object type) → ids in creation order (oldest first) */
  readonly lists = new Map<string, string[]>();
  readonly positions = new Map<string, number>();
  /** emulator-only data about an object (never serialized to the API) */
  readonly internal = new Map<string, Obj>();
  readonly idem = new Map<string, IdemRecord>();

  /** Keeps a first response for replay, and forgets those past Stripe's 24 hours (the oldest come first in the map). */
  rememberIdempotent(record: IdemRecord): void {
    this.idem.set(record.key, record);
    const cutoff = record.createdAt - IDEMPOTENCY_TTL_MS;
    for (const [key, old] of this.idem) {
      if (old.createdAt >= cutoff) break;
      this.idem.delete(key);
    }
  }
  /** named sets of ids a resource keeps for itself (rebuilt by its onStart, not persisted) */
  private readonly indexes = new Map<string, Set<string>>();

  index(name: string): Set<string> {
    let set = this.indexes.get(name);
    if (!set) {
      set = new Set();
      this.indexes.set(name, set);
    }
    return set;
  }
  clockOffset = 0;
  outcomes: OutcomeRule[] = [];
  refundOutcomes: RefundRule[] = [];

  insert(obj: Obj): Obj {
    const kind = obj.object as string;
    let list = this.lists.get(kind);
    if (!list) {
      list = [];
      this.lists.set(kind, list);
    }
    this.positions.set(obj.id, list.length);
    list.push(obj.id);
    this.objects.set(obj.id, obj);
    return obj;
  }

  /** Replace the stored object for an id (keeps list position). */
  replace(obj: Obj): void {
    this.objects.set(obj.id, obj);
  }

  meta(id: string): Obj {
    let m = this.internal.get(id);
    if (!m) {
      m = {};
      this.internal.set(id, m);
    }
    return m;
  }

  toJSON(): PersistedState {
    const objects: Record<string, Obj[]> = {};
    for (const [kind, ids] of this.lists) objects[kind] = ids.map((id) => this.objects.get(id)!);
    const now = Date.now();
    return {
      schemaVersion: SCHEMA_VERSION,
      savedAt: now,
      clockOffset: this.clockOffset,
      objects,
      internal: Object.fromEntries(this.internal),
      idempotency: [...this.idem.values()].filter((r) => now - r.createdAt < IDEMPOTENCY_TTL_MS),
      outcomes: this.outcomes,
      refundOutcomes: this.refundOutcomes,
    };
  }

  static fromJSON(data: PersistedState): Store {
    if (!data || typeof data !== 'object' || data.schemaVersion !== SCHEMA_VERSION) {
      throw new Error(`unsupported emulator state schemaVersion ${String(data?.schemaVersion)}`);
    }
    const s = new Store();
    s.clockOffset = data.clockOffset ?? 0;
    for (const objs of Object.values(data.objects ?? {})) for (const o of objs) s.insert(o);
    for (const [id, m] of Object.entries(data.internal ?? {})) s.internal.set(id, m);
    const now = Date.now();
    for (const r of data.idempotency ?? []) if (now - r.createdAt < IDEMPOTENCY_TTL_MS) s.idem.set(r.key, r);
    s.outcomes = data.outcomes ?? [];
    s.refundOutcomes = data.refundOutcomes ?? [];
    return s;
  }
}

export function loadState(path: string, log: (l: string) => void): Store {
  if (!existsSync(path)) return new Store();
  const text = readFileSync(path, 'utf8');
  try {
    return Store.fromJSON(JSON.parse(text) as PersistedState);
  } catch (e) {
    const backup = `${path}.corrupt-${Date.now()}`;
    try {
      renameSync(path, backup);
    } catch {
      /* ignore */
    }
    log(`emulator: could not read state file ${path} (${(e as Error).message}); moved it to ${backup} and started empty`);
    return new Store();
  }
}

/** Write the whole state atomically: temp file, fsync, rename, fsync directory. */
export function saveState(path: string, store: Store): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const data = JSON.stringify(store.toJSON());
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* directory fsync is not supported everywhere */
  }
}
