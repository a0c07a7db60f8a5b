/**
 * Changes made elsewhere, learnt from Stripe's Events API (a desktop has no public URL for webhooks).
 *
 * Every 20 seconds (and when a window gets the focus) the desk lists the events after the last one it
 * saw (`ending_before` = that event, newest first, paged forward until `has_more` is false; at most
 * 5 pages of 100 a poll, the rest at the next one), oldest first, and applies what concerns its own
 * customers: charges and refunds made at another desk, renewals paid or failed, saved methods
 * detached, disputes opened, answered or closed. Events of customers this desk has no record of are
 * skipped (their records come when the customer is opened here). Events of what this desk did itself
 * carry its terminal id in metadata and change nothing; every other change is idempotent (keyed by
 * Stripe's ids), so an event read twice never applies twice. The last event seen is stored in its
 * own small file, written only after the event's effect is committed, in the same write as the audit
 * entries the effect owes (`pendingAudit`); they are then appended to the audit log, and kept until
 * they are (an audit write that fails is retried at the next poll, never skipped).
 */
import { join } from 'node:path';
import Stripe from 'stripe';
import { z } from 'zod';
import { Currency, type StripeEventsStatus } from '../../preload/contract';
import { JsonStore } from '../store/json-store';
import { outcomeOfIntent, TERMINAL_METADATA_KEY } from './charges';
import type { AuditRecord, ChargeRecord, CustomerDoc, RecordOrigin, RefundRecord } from './data';
import type { Handlers } from './dispatch';
import type { createDisputes } from './disputes';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { formatMoney } from './i18n';
import { chargeView } from './views';

export const EVENTS_FILE = 'stripe-events.json';
/** How often Stripe's events are read; never more often than the minimum. */
export const EVENTS_POLL_INTERVAL_MS = 20_000;
export const MIN_EVENTS_POLL_INTERVAL_MS = 5_000;
const PAGE_SIZE = 100;
/** At most this many pages a poll: the cost is the new events, and a backlog is worked off poll by poll. */
export const MAX_PAGES_PER_POLL = 5;

/** The event types this desk applies (Stripe's `types[]` takes at most 20). */
export const APPLIED_EVENT_TYPES = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'charge.refunded',
  'refund.created',
  'refund.updated',
  'refund.failed',
  'invoice.paid',
  'invoice.payment_failed',
  'payment_method.detached',
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
] as const;

/** Audit actions of changes applied from events (translated in the renderer's catalog). */
export const EVENT_AUDIT_ACTIONS = ['stripe.chargeFromOtherDesk', 'stripe.refundFromOtherDesk', 'stripe.renewal', 'stripe.methodDetached', 'stripe.dispute'] as const;
type EventAuditAction = (typeof EVENT_AUDIT_ACTIONS)[number];

const EVENTS_CURSOR_VERSION = 1;
const EventsCursor = z.object({
  schemaVersion: z.literal(EVENTS_CURSOR_VERSION),
  /** The newest event seen and applied (null: none since the baseline). */
  lastEventId: z.string().nullable(),
  /** Its `created` (seconds): where to start again if Stripe no longer has it (events are kept 30 days). */
  lastEventCreated: z.number().int().nullable(),
  /** When this desk started following events; what happened before is history (imported with a customer). */
  baselineAt: z.string().nullable(),
  /**
   * Audit entries owed for changes already applied (added later; absent: none). Written in the same
   * write that marks their event seen, removed once each is in the audit log: a change applied from
   * an event always gets its entry, even when the audit write failed (re-applying the event would
   * find nothing to change, so nothing to say).
   */
  pendingAudit: z
    .array(z.object({ eventId: z.string(), eventType: z.string(), customerId: z.string(), action: z.enum(EVENT_AUDIT_ACTIONS), summary: z.string(), details: z.record(z.string(), z.unknown()) }))
    .optional(),
});
type PendingAudit = NonNullable<EventsCursor['pendingAudit']>[number];
type EventsCursor = z.infer<typeof EventsCursor>;

interface Applied {
  customerId: string;
  action: EventAuditAction;
  summary: string;
  details: Record<string, unknown>;
}

const iso = (seconds: number | null | undefined): string | null => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : null);
const idOf = (value: string | { id: string } | null | undefined): string | null => (typeof value === 'string' ? value : (value?.id ?? null));
/** Who made a record at another desk: not known here (Stripe's metadata names the desk, not the person). */
const OTHER_DESK_ACTOR = { staffId: '', name: '' };

function isMissing(error: unknown): boolean {
  return (error instanceof Stripe.errors.StripeError && (error.code === 'resource_missing' || error.statusCode === 404)) || (error instanceof AppError && error.code === 'not_found');
}

export async function createStripeEvents(
  env: CoreEnv,
  deps: { disputes: ReturnType<typeof createDisputes>; applyInvoice: (subscriptionId: string, invoiceId: string) => Promise<void> },
) {
  const { records, stripe, clock, audit, emit, logger } = env;
  const { index } = records;
  const cursor = await JsonStore.open<EventsCursor>({
    path: join(env.dataDir, EVENTS_FILE),
    schema: EventsCursor,
    version: EVENTS_CURSOR_VERSION,
    migrations: {},
    defaults: () => ({ schemaVersion: EVENTS_CURSOR_VERSION, lastEventId: null, lastEventCreated: null, baselineAt: null }),
    now: () => clock.now(),
    backups: 1,
  });
  const terminalId = () => records.shop.data.terminalId;
  const status: StripeEventsStatus = { lastEventId: cursor.data.lastEventId, polledAt: null, applied: 0, error: null };

  // ------------------------------------------------ reading the events

  const list = (params: Stripe.EventListParams) => stripe.events.list({ limit: PAGE_SIZE, types: [...APPLIED_EVENT_TYPES], ...params });

  /** All events since `since` (or all there are), oldest first: walked newest to oldest. Used only after a baseline or a lost cursor. */
  const eventsSince = async (since: number | null): Promise<Stripe.Event[]> => {
    const all: Stripe.Event[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await list({ ...(since !== null ? { created: { gte: since } } : {}), ...(after ? { starting_after: after } : {}) });
      all.push(...page.data);
      if (!page.has_more || page.data.length === 0) break;
      after = page.data[page.data.length - 1].id;
    }
    return all.reverse();
  };

  /** The events after the last one seen, oldest first; `more` when the page bound cut them short. */
  const newEvents = async (): Promise<{ events: Stripe.Event[]; more: boolean }> => {
    const { lastEventId, lastEventCreated, baselineAt } = cursor.data;
    if (!baselineAt) {
      // First start: follow from the newest event on; older ones are history.
      const newest = await list({ limit: 1 });
      const event = newest.data[0];
      await cursor.update((d) => {
        d.baselineAt = clock.now().toISOString();
        d.lastEventId = event?.id ?? null;
        d.lastEventCreated = event?.created ?? null;
      });
      return { events: [], more: false };
    }
    if (!lastEventId) return { events: await eventsSince(null), more: false };
    const events: Stripe.Event[] = [];
    let before = lastEventId;
    for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
      let answer: Stripe.ApiList<Stripe.Event>;
      try {
        answer = await list({ ending_before: before });
      } catch (error) {
        // the last event seen is gone (older than Stripe keeps): start again from its time; applying is idempotent
        if (page === 0 && isMissing(error)) return { events: (await eventsSince(lastEventCreated)).filter((e) => e.id !== lastEventId), more: false };
        throw error;
      }
      const batch = [...answer.data].reverse();
      events.push(...batch);
      if (!answer.has_more || batch.length === 0) return { events, more: false };
      before = batch[batch.length - 1].id;
    }
    return { events, more: true };
  };

  // ------------------------------------------------ finding what an event is about

  const own = (metadata: Stripe.Metadata | null | undefined) => metadata?.[TERMINAL_METADATA_KEY] === terminalId();
  const originOf = (metadata: Stripe.Metadata | null | undefined, key: string): RecordOrigin => ({
    source: 'stripe',
    importedAt: clock.now().toISOString(),
    terminalId: metadata?.[TERMINAL_METADATA_KEY] ?? null,
    via: 'events',
    recordId: metadata?.[key] ?? null,
  });
  const localCustomerOf = (stripeCustomer: string | { id: string } | null | undefined) => {
    const id = idOf(stripeCustomer);
    return id ? index.customerByStripeId(id) : null;
  };
  const chargeOfIntent = (doc: Readonly<CustomerDoc>, intent: Stripe.PaymentIntent): ChargeRecord | undefined => {
    const named = intent.metadata?.mandate_desk_charge_id;
    return doc.charges.find((c) => c.paymentIntentId === intent.id) ?? (named ? doc.charges.find((c) => c.id === named) : undefined);
  };

  /**
   * The local charge of a PaymentIntent of a known customer: found, or created when another desk of
   * this shop made it (its metadata names one of our charges); a charge from another desk is kept up
   * to date. Null when the customer is not known here or the intent is not a desk's charge.
   */
  const ensureCharge = async (intent: Stripe.PaymentIntent): Promise<{ customerId: string; chargeId: string; applied: Applied | null } | null> => {
    const customer = localCustomerOf(intent.customer);
    if (!customer) return null;
    const doc = await records.requireCustomer(customer.id);
    const existing = chargeOfIntent(doc, intent);
    if (existing && !existing.origin) return { customerId: customer.id, chargeId: existing.id, applied: null };
    if (!existing && (!intent.metadata?.mandate_desk_charge_id || own(intent.metadata))) return null; // an invoice's payment, or not a desk's
    const currency = Currency.safeParse(intent.currency);
    if (!currency.success) return null;
    const outcome = outcomeOfIntent(intent);
    if (!outcome.known) return null;
    const finished = outcome.status === 'processing' ? null : (iso(intent.created) ?? clock.now().toISOString());
    const chargeId = existing?.id ?? records.newId('chg', customer.id);
    const changed = await records.updateCustomer(customer.id, (draft) => {
      const stored = draft.charges.find((c) => c.id === chargeId);
      if (stored) {
        if (stored.status === outcome.status && JSON.stringify(stored.failure) === JSON.stringify(outcome.failure)) return false;
        stored.status = outcome.status;
        stored.failure = outcome.failure;
        stored.finishedAt = stored.finishedAt ?? finished;
        return true;
      }
      draft.charges.push({
        id: chargeId,
        customerId: customer.id,
        consentId: intent.metadata?.mandate_desk_consent_id ?? '',
        paymentMethodId: idOf(intent.payment_method) ?? idOf(intent.last_payment_error?.payment_method) ?? '',
        amount: intent.amount,
        currency: currency.data,
        description: intent.description ?? '',
        status: outcome.status,
        idempotencyKey: `other-desk-${intent.id}`, // never sent from here
        requestKey: `other-desk-${intent.id}`,
        paymentIntentId: intent.id,
        failure: outcome.failure,
        createdAt: iso(intent.created) ?? clock.now().toISOString(),
        finishedAt: finished,
        createdBy: OTHER_DESK_ACTOR,
        subscriptionId: null,
        origin: originOf(intent.metadata, 'mandate_desk_charge_id'),
      });
      return true;
    });
    if (!changed) return { customerId: customer.id, chargeId, applied: null };
    const after = await records.requireCustomer(customer.id);
    const charge = after.charges.find((c) => c.id === chargeId)!;
    emit('charge.updated', chargeView(after, charge));
    const money = formatMoney(charge.amount, charge.currency, 'en');
    return {
      customerId: customer.id,
      chargeId,
      applied: {
        customerId: customer.id,
        action: 'stripe.chargeFromOtherDesk',
        summary: `Charge of ${money} made at another desk${charge.origin?.terminalId ? ` (${charge.origin.terminalId})` : ''}: ${charge.status}`,
        details: { chargeId, paymentIntentId: intent.id, amount: charge.amount, currency: charge.currency, status: charge.status, terminalId: charge.origin?.terminalId ?? null, created: !existing },
      },
    };
  };

  const refundStatusOf = (refund: Stripe.Refund): { status: RefundRecord['status']; failure: RefundRecord['failure'] } => {
    if (refund.status === 'succeeded') return { status: 'succeeded', failure: null };
    if (refund.status === 'failed' || refund.status === 'canceled')
      return { status: 'failed', failure: { code: refund.failure_reason ?? refund.status, message: `The refund ${refund.status === 'canceled' ? 'was canceled' : 'failed'} at Stripe${refund.failure_reason ? ` (${refund.failure_reason})` : ''}.` } };
    return { status: 'processing', failure: null };
  };
  const REFUND_REASONS = ['requested_by_customer', 'duplicate', 'fraudulent'] as const;

  /** A refund made at another desk on a charge known here: added, or brought up to date. */
  const applyRefund = async (refund: Stripe.Refund): Promise<Applied[]> => {
    if (own(refund.metadata)) return [];
    const intentId = idOf(refund.payment_intent);
    if (!intentId) return [];
    const found = await ensureCharge(await stripe.paymentIntents.retrieve(intentId));
    if (!found) return [];
    const applied = found.applied ? [found.applied] : [];
    const doc = await records.requireCustomer(found.customerId);
    const named = refund.metadata?.mandate_desk_refund_id;
    const existing = doc.refunds.find((r) => r.stripeRefundId === refund.id) ?? (named ? doc.refunds.find((r) => r.id === named) : undefined);
    if (existing && !existing.origin) return applied; // one of ours: followed by this desk itself
    const currency = Currency.safeParse(refund.currency);
    if (!currency.success) return applied;
    const { status, failure } = refundStatusOf(refund);
    const refundId = existing?.id ?? records.newId('rfnd', found.customerId);
    const changed = await records.updateCustomer(found.customerId, (draft) => {
      const stored = draft.refunds.find((r) => r.id === refundId);
      if (stored) {
        if (stored.status === status) return false;
        stored.status = status;
        stored.failure = failure;
        return true;
      }
      const reason = (REFUND_REASONS as readonly string[]).includes(refund.reason ?? '') ? (refund.reason as RefundRecord['reason']) : 'requested_by_customer';
      draft.refunds.push({
        id: refundId,
        chargeId: found.chargeId,
        amount: refund.amount,
        currency: currency.data,
        reason,
        note: '',
        status,
        idempotencyKey: `other-desk-${refund.id}`,
        requestKey: `other-desk-${refund.id}`,
        stripeRefundId: refund.id,
        failure,
        createdAt: iso(refund.created) ?? clock.now().toISOString(),
        createdBy: OTHER_DESK_ACTOR,
        origin: originOf(refund.metadata, 'mandate_desk_refund_id'),
      });
      return true;
    });
    if (!changed) return applied;
    const after = await records.requireCustomer(found.customerId);
    emit('charge.updated', chargeView(after, after.charges.find((c) => c.id === found.chargeId)!));
    applied.push({
      customerId: found.customerId,
      action: 'stripe.refundFromOtherDesk',
      summary: `Refund of ${formatMoney(refund.amount, currency.data, 'en')} made at another desk: ${status}`,
      details: { refundId, chargeId: found.chargeId, stripeRefundId: refund.id, amount: refund.amount, currency: currency.data, status, terminalId: refund.metadata?.[TERMINAL_METADATA_KEY] ?? null, created: !existing },
    });
    return applied;
  };

  const applyInvoice = async (invoice: Stripe.Invoice): Promise<Applied[]> => {
    const customer = localCustomerOf(invoice.customer);
    const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription);
    if (!customer || !subscriptionId) return [];
    const doc = await records.requireCustomer(customer.id);
    const local = doc.subscriptions.find((s) => s.stripeSubscriptionId === subscriptionId);
    if (!local) return [];
    const stateOf = (d: Readonly<CustomerDoc>) => JSON.stringify([d.subscriptions.find((s) => s.id === local.id), d.charges.length]);
    const before = stateOf(doc);
    await deps.applyInvoice(local.id, invoice.id);
    const after = await records.requireCustomer(customer.id);
    if (stateOf(after) === before) return [];
    const record = after.subscriptions.find((s) => s.id === local.id)!;
    const paid = invoice.status === 'paid';
    const currency = Currency.safeParse(invoice.currency);
    const amount = paid ? invoice.amount_paid : invoice.amount_due;
    return [
      {
        customerId: customer.id,
        action: 'stripe.renewal',
        summary: `Subscription payment ${paid ? 'paid' : 'failed'}${currency.success ? ` (${formatMoney(amount, currency.data, 'en')})` : ''}; subscription ${record.status}`,
        details: { subscriptionId: local.id, invoiceId: invoice.id, paid, amount, currency: invoice.currency, subscriptionStatus: record.status },
      },
    ];
  };

  const applyDetached = async (method: Stripe.PaymentMethod, previous: Partial<Stripe.PaymentMethod> | undefined, at: number): Promise<Applied[]> => {
    const customer = localCustomerOf(method.customer ?? previous?.customer ?? null);
    if (!customer) return [];
    const doc = await records.requireCustomer(customer.id);
    if (!doc.savedMethods.some((m) => m.paymentMethodId === method.id && m.detachedAt === null)) return []; // unknown, or detached here already
    const detachedAt = iso(at) ?? clock.now().toISOString();
    const changed = await records.updateCustomer(customer.id, (draft) => {
      const stored = draft.savedMethods.find((m) => m.paymentMethodId === method.id);
      if (!stored || stored.detachedAt !== null) return false;
      stored.detachedAt = detachedAt;
      stored.detachedElsewhere = true;
      return true;
    });
    if (!changed) return [];
    return [
      {
        customerId: customer.id,
        action: 'stripe.methodDetached',
        summary: `Amazon Pay method ${method.id} was detached at Stripe (not at this desk): charges on it are refused`,
        details: { paymentMethodId: method.id, detachedAt },
      },
    ];
  };

  const applyDisputeEvent = async (event: Stripe.Dispute): Promise<Applied[]> => {
    // the dispute as it is now: an older event read after a newer change must not undo it
    const dispute = await stripe.disputes.retrieve(event.id);
    const intentId = idOf(dispute.payment_intent) ?? idOf((await stripe.charges.retrieve(idOf(dispute.charge)!)).payment_intent);
    if (!intentId) return [];
    const found = await ensureCharge(await stripe.paymentIntents.retrieve(intentId));
    if (!found) return [];
    const applied = found.applied ? [found.applied] : [];
    const change = await deps.disputes.applyDispute(found.customerId, found.chargeId, dispute);
    if (change) {
      const { before, after } = change;
      applied.push({
        customerId: found.customerId,
        action: 'stripe.dispute',
        summary: `Dispute ${after.id} on a charge of ${formatMoney(after.amount, after.currency, 'en')} (${after.reason}): ${before ? `${before.status} → ` : 'opened, '}${after.status}${after.dueBy ? `; evidence due by ${after.dueBy}` : ''}`,
        details: { chargeId: found.chargeId, disputeId: after.id, status: after.status, previousStatus: before?.status ?? null, reason: after.reason, amount: after.amount, currency: after.currency, dueBy: after.dueBy },
      });
    }
    return applied;
  };

  const applyEvent = async (event: Stripe.Event): Promise<Applied[]> => {
    const object = event.data.object as unknown;
    switch (event.type) {
      case 'payment_intent.succeeded':
      case 'payment_intent.payment_failed': {
        const intent = object as Stripe.PaymentIntent;
        if (own(intent.metadata)) return [];
        const found = await ensureCharge(intent);
        return found?.applied ? [found.applied] : [];
      }
      case 'refund.created':
      case 'refund.updated':
      case 'refund.failed':
        return applyRefund(object as Stripe.Refund);
      case 'charge.refunded': {
        const charge = object as Stripe.Charge;
        if (!localCustomerOf(charge.customer)) return [];
        const applied: Applied[] = [];
        for await (const refund of stripe.refunds.list({ charge: charge.id, limit: 100 })) applied.push(...(await applyRefund(refund)));
        return applied;
      }
      case 'invoice.paid':
      case 'invoice.payment_failed':
        return applyInvoice(object as Stripe.Invoice);
      case 'payment_method.detached':
        return applyDetached(object as Stripe.PaymentMethod, event.data.previous_attributes as Partial<Stripe.PaymentMethod> | undefined, event.created);
      case 'charge.dispute.created':
      case 'charge.dispute.updated':
      case 'charge.dispute.closed':
        return applyDisputeEvent(object as Stripe.Dispute);
      default:
        return [];
    }
  };

  // ------------------------------------------------ the poll

  let running: Promise<StripeEventsStatus> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let enabled = false;
  const intervalMs = Math.max(MIN_EVENTS_POLL_INTERVAL_MS, env.eventsPollIntervalMs ?? EVENTS_POLL_INTERVAL_MS);

  /** Same entry (an owed one appended before its removal was written, e.g. by a crash in between). */
  const sameEntry = (entry: AuditRecord, owed: PendingAudit) =>
    entry.action === owed.action && entry.customerId === owed.customerId && entry.details?.eventId === owed.eventId && entry.summary === owed.summary;

  /** Appends the owed audit entries, oldest first, each removed once written; throws (keeping the rest) when one fails. */
  const writeOwedAudit = async (): Promise<void> => {
    while (cursor.data.pendingAudit?.length) {
      const owed = cursor.data.pendingAudit[0]!;
      const already = await audit.find({ match: (entry) => sameEntry(entry, owed), limit: 1, maxScan: 500 });
      if (already.length === 0)
        await audit.append({ actor: null, action: owed.action, outcome: 'ok', customerId: owed.customerId, summary: owed.summary, details: { ...owed.details, eventId: owed.eventId, eventType: owed.eventType } });
      await cursor.update((d) => {
        d.pendingAudit = (d.pendingAudit ?? []).slice(1);
        if (d.pendingAudit.length === 0) delete d.pendingAudit;
      });
    }
  };

  const pollOnce = async (): Promise<{ status: StripeEventsStatus; more: boolean }> => {
    const { events, more } = await newEvents();
    const customers = new Set<string>();
    let applied = 0;
    let unsaved: Stripe.Event | null = null;
    const save = async (event: Stripe.Event, owed: PendingAudit[] = []) => {
      await cursor.update((d) => {
        d.lastEventId = event.id;
        d.lastEventCreated = event.created;
        if (owed.length) d.pendingAudit = [...(d.pendingAudit ?? []), ...owed];
      });
      unsaved = null;
    };
    // what an earlier poll applied but could not write to the audit log comes first
    await writeOwedAudit();
    try {
      for (const event of events) {
        let changes: Applied[];
        try {
          changes = await applyEvent(event);
        } catch (error) {
          // something the event names is gone: nothing to apply; anything else is tried again next poll
          if (!isMissing(error)) throw error;
          logger.warn('a Stripe event names something that no longer exists; skipped', { eventId: event.id, type: event.type, error: String(error) });
          changes = [];
        }
        for (const change of changes) {
          customers.add(change.customerId);
          applied += 1;
        }
        // the cursor moves only after the event's effect is committed, and with the audit entries it owes
        if (changes.length) {
          await save(
            event,
            changes.map((change) => ({ eventId: event.id, eventType: event.type, customerId: change.customerId, action: change.action, summary: change.summary, details: change.details })),
          );
          await writeOwedAudit();
        } else unsaved = event;
      }
    } finally {
      const last: Stripe.Event | null = unsaved;
      if (last) await save(last);
      status.lastEventId = cursor.data.lastEventId;
    }
    status.polledAt = clock.now().toISOString();
    status.applied = applied;
    status.error = null;
    if (applied) emit('stripe.changed', { customerIds: [...customers], applied });
    return { status: { ...status }, more };
  };

  const schedule = (delayMs: number) => {
    if (!enabled || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void poll().catch(() => {});
    }, delayMs);
    timer.unref();
  };

  /** One poll at a time; a call during a poll waits for it, then reads again (so it sees what happened before it was made). */
  const poll = async (): Promise<StripeEventsStatus> => {
    if (running) await running.catch(() => {});
    if (running) return running;
    const started = (async () => {
      try {
        const { status: answer, more } = await pollOnce();
        if (more) schedule(1_000);
        return answer;
      } catch (error) {
        status.error = error instanceof Error ? error.message : String(error);
        logger.warn('reading Stripe events failed; tried again at the next poll', { error: status.error });
        throw error;
      }
    })().finally(() => {
      running = null;
      schedule(intervalMs);
    });
    running = started;
    return started;
  };

  const handlers: Pick<Handlers, 'stripeEvents.poll'> = {
    'stripeEvents.poll': async () => {
      try {
        return await poll();
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (error instanceof Stripe.errors.StripeConnectionError) throw new AppError('stripe_unreachable', `Stripe could not be reached: ${error.message}`);
        throw new AppError('stripe_error', `Stripe's events could not be read: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };

  return {
    handlers,
    poll,
    start() {
      enabled = true;
      void poll().catch(() => {});
    },
    stop() {
      enabled = false;
      if (timer) clearTimeout(timer);
      timer = null;
    },
    /** Resolves when no poll is running (for a clean stop). */
    idle: async () => {
      await running?.catch(() => {});
    },
  };
}
