import type { AuditChainStatus, StoreNotice } from '../../preload/contract';
import type { AuditRecord } from './data';
import type { AuditPort } from './dispatch';
import type { CoreDeps, EventSink } from './ports';
import type { Records } from './records';

/** The audit trail as core modules see it (implemented in audit.ts). */
export interface AuditLog extends AuditPort {
  verify(): AuditChainStatus;
  /** The newest entry's seq (0 for an empty log). */
  head(): number;
  /** Entries that `match`, oldest first, looking at no more than `maxScan` of the newest entries. */
  find(query: { match: (entry: AuditRecord) => boolean; limit: number; maxScan: number }): Promise<AuditRecord[]>;
}

/** What every core module is built from: the injected deps plus the opened stores and the event sink. */
export interface CoreEnv extends CoreDeps {
  records: Records;
  audit: AuditLog;
  emit: EventSink;
  storeNotices: StoreNotice[];
}
