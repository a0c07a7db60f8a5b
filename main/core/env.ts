import type { AuditChainStatus, StoreNotice } from '../../preload/contract';
import type { JsonStore } from '../store/json-store';
import type { AppData, AuditRecord } from './data';
import type { AuditPort } from './dispatch';
import type { CoreDeps, EventSink } from './ports';

/** The audit trail as core modules see it (implemented in audit.ts). */
export interface AuditLog extends AuditPort {
  verify(): AuditChainStatus;
  /** Every entry, oldest first (read-only): evidence exports pick the ones about a consent. */
  entries(): readonly AuditRecord[];
}

/** What every core module is built from: the injected deps plus the opened stores and the event sink. */
export interface CoreEnv extends CoreDeps {
  store: JsonStore<AppData>;
  audit: AuditLog;
  emit: EventSink;
  storeNotices: StoreNotice[];
}
