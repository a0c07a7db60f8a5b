/**
 * How the dispatcher writes to the audit log so that a failure to write is never silent:
 * - a change whose entry cannot be written is kept as pending and the writer reports itself
 *   unavailable; the dispatcher then takes no further changes until `recover()` has written every
 *   pending entry (it is tried again before each mutating call);
 * - refusals are group-committed: refusals that arrive while an entry is being written are written
 *   together as one entry (each one summarised, the rest counted), so a flood of forged calls costs
 *   a few writes, not one each. A refusal answers only after its entry is on disk (or its loss counted).
 * Every draft passes through `boundAuditDraft` first.
 */
import type { StaffView } from '../../preload/contract';
import { boundAuditDraft } from './audit-bounds';
import type { AuditDraft, AuditPort } from './dispatch';
import type { Logger } from './ports';

/** What a refusal entry keeps (no payload: its digest). */
export interface RefusalSummary {
  actor: StaffView | null;
  /** The channel, or 'unknown' when it is not a channel. */
  action: string;
  customerId: string | null;
  code: string;
  details: Record<string, unknown>;
}

/** The action of an entry that stands for several refusals written together. */
export const REFUSALS_ACTION = 'dispatch.refused';
/** The action of an entry that records refusals lost while the log could not be written. */
export const REFUSALS_LOST_ACTION = 'dispatch.refusalsLost';
/** How many refusals a combined entry describes one by one (the rest are counted by action and code). */
export const REFUSALS_LISTED = 6;
/** Changes made while the log fails are few (changes stop at the first failure); this only guards memory. */
const MAX_PENDING = 1_000;

export interface AuditWriter {
  /** False from the first failed write until `recover()` succeeds. */
  readonly available: boolean;
  /** Writes a change's entry; false (entry kept as pending, writer unavailable) when it cannot. */
  change(draft: AuditDraft): Promise<boolean>;
  /** Writes a refusal's entry (possibly together with others). Never throws. */
  refusal(summary: RefusalSummary): Promise<void>;
  /** Writes the pending entries, oldest first; true when none is left. */
  recover(): Promise<boolean>;
}

export function createAuditWriter(audit: AuditPort, logger: Logger): AuditWriter {
  const pending: AuditDraft[] = [];
  let lostRefusals = 0;
  let available = true;
  let recovering: Promise<boolean> | null = null;

  const write = async (draft: AuditDraft): Promise<boolean> => {
    try {
      await audit.append(boundAuditDraft(draft));
      return true;
    } catch (error) {
      available = false;
      logger.error('audit append failed', { action: draft.action, error: error instanceof Error ? error.message : String(error) });
      return false;
    }
  };

  const single = (r: RefusalSummary): AuditDraft => ({
    actor: r.actor,
    action: r.action,
    outcome: 'refused',
    customerId: r.customerId,
    summary: `${r.action} refused: ${r.code}`,
    details: { code: r.code, ...r.details },
  });

  const combined = (actor: StaffView | null, group: RefusalSummary[]): AuditDraft => {
    const others: Record<string, number> = {};
    for (const r of group.slice(REFUSALS_LISTED)) {
      const key = `${r.action} ${r.code}`;
      others[key] = (others[key] ?? 0) + 1;
    }
    return {
      actor,
      action: REFUSALS_ACTION,
      outcome: 'refused',
      customerId: null,
      summary: `${group.length} calls refused`,
      details: {
        count: group.length,
        listed: group.slice(0, REFUSALS_LISTED).map((r) => ({ action: r.action, code: r.code, customerId: r.customerId, ...r.details })),
        others,
      },
    };
  };

  let queue: Array<{ summary: RefusalSummary; done: () => void }> = [];
  let flushing = false;
  const flush = async () => {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const byActor = new Map<string, RefusalSummary[]>();
      for (const { summary } of batch) {
        const key = summary.actor?.id ?? '';
        byActor.set(key, [...(byActor.get(key) ?? []), summary]);
      }
      for (const group of byActor.values()) {
        const ok = await write(group.length === 1 ? single(group[0]) : combined(group[0].actor, group));
        if (!ok) lostRefusals += group.length;
      }
      for (const { done } of batch) done();
    }
    flushing = false;
  };

  const recoverOnce = async (): Promise<boolean> => {
    while (pending.length > 0) {
      if (!(await write(pending[0]))) return false;
      pending.shift();
    }
    if (lostRefusals > 0) {
      const lost = lostRefusals;
      const ok = await write({
        actor: null,
        action: REFUSALS_LOST_ACTION,
        outcome: 'error',
        customerId: null,
        summary: `${lost} refused calls could not be recorded while the audit log could not be written`,
        details: { count: lost },
      });
      if (!ok) return false;
      lostRefusals -= lost;
    }
    available = true;
    return true;
  };

  const keep = (draft: AuditDraft) => {
    if (pending.length < MAX_PENDING) pending.push(draft);
    else logger.error('audit entry dropped: too many pending entries', { action: draft.action });
  };
  /** One recovery at a time: concurrent callers share its result. */
  const recover = (): Promise<boolean> => {
    recovering ??= recoverOnce().finally(() => {
      recovering = null;
    });
    return recovering;
  };

  return {
    get available() {
      return available;
    },
    async change(draft) {
      if (available && pending.length === 0) {
        if (await write(draft)) return true;
        keep(draft);
        return false;
      }
      // behind entries still pending, a change waits its turn, so the log keeps the order of events
      keep(draft);
      return recover();
    },
    refusal(summary) {
      return new Promise<void>((resolve) => {
        queue.push({ summary, done: resolve });
        if (!flushing) void flush();
      });
    },
    recover,
  };
}
