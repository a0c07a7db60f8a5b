/**
 * Withdrawing a consent, and the evidence file for a dispute.
 *
 * The withdrawal record is written (fsynced) before anything is asked of Stripe: from that moment
 * every charge under the consent is refused, whatever happens next. Then each saved method resting
 * on the consent is detached and each live subscription cancelled, one durable step at a time.
 * If Stripe cannot be reached part-way, withdrawing again finishes the remaining steps.
 */
import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import type { ExportFile, StaffView } from '../../preload/contract';
import { fileDate } from './audit';
import type { ConsentRecord, CustomerDoc, SavedMethodRecord, SetupRecord, SubscriptionRecord } from './data';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { consentPdfFile } from './consent-pdf';
import { pendingShare } from './stripe-share';
import { sha256Hex } from './terms';
import { consentView } from './views';

/** Subscription statuses at Stripe that will never charge again. */
const ENDED_SUBSCRIPTION_STATUSES = new Set(['canceled', 'incomplete_expired']);
/** Codes Stripe (and the emulator) give when detaching a method that is no longer attached. */
const NOT_ATTACHED_CODES = new Set(['payment_method_not_attached', 'payment_method_unexpected_state']);

function findConsent(data: Readonly<CustomerDoc>, consentId: string): ConsentRecord {
  const consent = data.consents.find((c) => c.id === consentId);
  if (!consent) throw new AppError('not_found', `There is no consent ${consentId}.`);
  return consent;
}

interface Work {
  /** Checkout sessions still open: closed at Stripe so no new method is saved on this consent (the setup poller records them as expired). */
  openSetups: SetupRecord[];
  methods: SavedMethodRecord[];
  subscriptions: SubscriptionRecord[];
}

/** What still has to happen at Stripe for a withdrawn consent. */
function remainingWork(data: Readonly<CustomerDoc>, consentId: string): Work {
  return {
    openSetups: data.setups.filter((s) => s.consentId === consentId && s.status === 'open'),
    methods: data.savedMethods.filter((m) => m.consentId === consentId && m.detachedAt === null),
    // a record without a Stripe id never reached Stripe as far as we know: nothing to cancel there
    subscriptions: data.subscriptions.filter(
      (s) => s.consentId === consentId && s.stripeSubscriptionId !== null && !ENDED_SUBSCRIPTION_STATUSES.has(s.status),
    ),
  };
}

/** How many of the newest audit entries an evidence export looks through, and keeps at most. */
export const EVIDENCE_AUDIT_SCAN = 200_000;
const EVIDENCE_AUDIT_LIMIT = 10_000;

const actorOf = (actor: StaffView | null) => ({ staffId: actor?.id ?? 'unknown', name: actor?.name ?? 'unknown' });

export interface Withdrawals {
  handlers: Pick<Handlers, 'consents.withdraw' | 'consents.exportEvidence'>;
  /**
   * For a withdrawn consent, detaches what is still attached and cancels what still runs at Stripe.
   * Also called when a setup completes after its consent was withdrawn (the customer finished
   * Checkout just before the withdrawal closed the session).
   */
  finishIfWithdrawn(consentId: string, actor: StaffView | null): Promise<void>;
}

export interface WithdrawalHooks {
  /** The withdrawal is on disk with its recording at Stripe queued: start it (in the background). */
  recorded?(withdrawalId: string): void;
}

export function createWithdrawals(env: CoreEnv, hooks: WithdrawalHooks = {}): Withdrawals {
  const { records, stripe, clock, audit } = env;

  async function detachAtStripe(paymentMethodId: string): Promise<void> {
    try {
      await stripe.paymentMethods.detach(paymentMethodId);
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
      if (error.code && NOT_ATTACHED_CODES.has(error.code)) return;
      // Stripe has answered this case without a code: ask it whether the method is still attached.
      const method = await stripe.paymentMethods.retrieve(paymentMethodId).catch(() => null);
      if (!method || method.customer) throw error;
    }
  }

  async function expireAtStripe(checkoutSessionId: string): Promise<void> {
    try {
      await stripe.checkout.sessions.expire(checkoutSessionId);
    } catch (error) {
      // already complete or expired: a method it saved is detached below or by the next withdraw
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
    }
  }

  /** Cancels at Stripe; returns when it was cancelled there. An already-cancelled subscription counts as done. */
  async function cancelAtStripe(stripeSubscriptionId: string): Promise<Date> {
    let subscription: Stripe.Subscription;
    try {
      subscription = await stripe.subscriptions.cancel(stripeSubscriptionId);
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
      subscription = await stripe.subscriptions.retrieve(stripeSubscriptionId);
      if (!ENDED_SUBSCRIPTION_STATUSES.has(subscription.status)) throw error;
    }
    return subscription.canceled_at ? new Date(subscription.canceled_at * 1000) : clock.now();
  }

  async function finishAtStripe(consent: ConsentRecord, actor: StaffView | null): Promise<void> {
    const work = remainingWork(await records.requireCustomer(consent.customerId), consent.id);
    const note = (action: string, summary: string, details: Record<string, unknown>) =>
      audit.append({ actor, action, outcome: 'ok', customerId: consent.customerId, summary, details: { consentId: consent.id, ...details } });
    try {
      for (const setup of work.openSetups) await expireAtStripe(setup.checkoutSessionId);
      // subscriptions before methods, so none renews on a method that is about to go
      for (const subscription of work.subscriptions) {
        const canceledAt = (await cancelAtStripe(subscription.stripeSubscriptionId!)).toISOString();
        await records.updateCustomer(consent.customerId, (draft) => {
          const record = draft.subscriptions.find((s) => s.id === subscription.id)!;
          record.status = 'canceled';
          record.canceledAt = canceledAt;
          record.cancelAtPeriodEnd = false;
        });
        await note('consents.withdraw.subscriptionCanceled', `Subscription ${subscription.id} cancelled because consent ${consent.id} was withdrawn`, {
          subscriptionId: subscription.id,
          stripeSubscriptionId: subscription.stripeSubscriptionId,
        });
      }
      for (const method of work.methods) {
        await detachAtStripe(method.paymentMethodId);
        const detachedAt = clock.now().toISOString();
        await records.updateCustomer(consent.customerId, (draft) => {
          draft.savedMethods.find((m) => m.paymentMethodId === method.paymentMethodId)!.detachedAt = detachedAt;
        });
        await note('consents.withdraw.methodDetached', `Payment method ${method.paymentMethodId} detached because consent ${consent.id} was withdrawn`, {
          paymentMethodId: method.paymentMethodId,
        });
      }
    } catch (error) {
      const left = remainingWork(await records.requireCustomer(consent.customerId), consent.id);
      const what = `${left.methods.length} payment method(s) still to detach and ${left.subscriptions.length} subscription(s) still to cancel`;
      const stands = `The withdrawal is recorded and no charge can be made under this consent, but ${what} at Stripe.`;
      if (error instanceof Stripe.errors.StripeConnectionError)
        throw new AppError('stripe_unreachable', `${stands} Stripe could not be reached: withdraw again when the connection is back to finish.`);
      if (error instanceof Stripe.errors.StripeError)
        throw new AppError('stripe_error', `${stands} Stripe said: ${error.message}`, { stripeMessage: error.message, ...(error.code ? { stripeCode: error.code } : {}) });
      throw error;
    }
  }

  const handlers: Withdrawals['handlers'] = {
    async 'consents.withdraw'({ consentId, reason }, { actor }) {
      const consent = findConsent(await records.ownerDoc(consentId, 'consent'), consentId);
      const withdrawalId = records.newId('wdr', consent.customerId);
      const recorded = await records.updateCustomer(consent.customerId, (draft) => {
        if (draft.withdrawals.some((w) => w.consentId === consentId)) return false;
        // recorded at Stripe too (SetupIntent and Customer metadata), queued in this same write (stripe-share.ts)
        draft.withdrawals.push({ id: withdrawalId, consentId, at: clock.now().toISOString(), by: actorOf(actor), reason, stripeShare: pendingShare() });
        return true;
      });
      if (recorded) hooks.recorded?.(withdrawalId);
      if (!recorded) {
        const work = remainingWork(await records.requireCustomer(consent.customerId), consentId);
        if (work.openSetups.length + work.methods.length + work.subscriptions.length === 0)
          throw new AppError('conflict', 'This consent has already been withdrawn, and everything resting on it has been detached or cancelled.');
      } else {
        await audit.append({
          actor,
          action: 'consents.withdraw.recorded',
          outcome: 'ok',
          customerId: consent.customerId,
          summary: `Consent ${consentId} withdrawn: charges under it are refused from now on`,
          details: { consentId, reason },
        });
      }
      await finishAtStripe(consent, actor);
      return consentView(await records.requireCustomer(consent.customerId), consent, clock.now());
    },

    async 'consents.exportEvidence'({ consentId }, { actor }): Promise<ExportFile> {
      const data = await records.ownerDoc(consentId, 'consent');
      const shop = records.shop.data;
      const consent = findConsent(data, consentId);
      const now = clock.now();
      const view = consentView(data, consent, now);
      const customer = data.customer;
      const setups = data.setups.filter((s) => s.consentId === consentId);
      const savedMethods = data.savedMethods.filter((m) => m.consentId === consentId);
      const charges = data.charges.filter((c) => c.consentId === consentId);
      const chargeIds = new Set(charges.map((c) => c.id));
      const refunds = data.refunds.filter((r) => chargeIds.has(r.chargeId));
      const subscriptions = data.subscriptions.filter((s) => s.consentId === consentId);
      const withdrawal = data.withdrawals.find((w) => w.consentId === consentId) ?? null;
      const recomputedSha256 = sha256Hex(consent.text);
      const pdf = await consentPdfFile(env, consentId);

      // every audit entry that names the consent or anything made under it
      const relatedIds = [consentId, ...setups.map((s) => s.id), ...charges.map((c) => c.id), ...refunds.map((r) => r.id), ...subscriptions.map((s) => s.id)];
      // Looked for among the newest entries (bounded, so an export never reads a whole chain's history).
      const auditEntries = await audit.find({
        limit: EVIDENCE_AUDIT_LIMIT,
        maxScan: EVIDENCE_AUDIT_SCAN,
        match: (entry) => {
          if (entry.customerId !== null && entry.customerId !== consent.customerId) return false;
          const text = JSON.stringify([entry.summary, entry.details]);
          return relatedIds.some((id) => text.includes(id));
        },
      });

      const unique = (values: Array<string | null>) => [...new Set(values.filter((v): v is string => v !== null))];
      const evidence = {
        kind: 'mandate-desk.consent-evidence',
        exportedAt: now.toISOString(),
        exportedBy: actorOf(actor),
        shop: { name: shop.settings.shopName, contact: shop.settings.shopContact },
        terminal: { id: shop.terminalId, name: shop.settings.terminalName },
        status: view.status,
        consent: {
          ...consent,
          termsCheck: { storedSha256: consent.textSha256, recomputedSha256, matches: recomputedSha256 === consent.textSha256 },
        },
        customer,
        stripe: {
          customerId: consent.stripeCustomerId,
          links: view.links,
          checkoutSessionIds: unique(setups.map((s) => s.checkoutSessionId)),
          setupIntentIds: unique([...setups.map((s) => s.setupIntentId), ...savedMethods.map((m) => m.setupIntentId)]),
          paymentMethodIds: unique([...setups.map((s) => s.paymentMethodId), ...savedMethods.map((m) => m.paymentMethodId)]),
          mandateIds: unique([...setups.map((s) => s.mandateId), ...savedMethods.map((m) => m.mandateId)]),
        },
        setups,
        savedMethods,
        withdrawal,
        charges: charges.map((charge) => ({ ...charge, refunds: refunds.filter((r) => r.chargeId === charge.id) })),
        subscriptions,
        audit: { chain: audit.verify(), entries: auditEntries, searched: `the newest ${EVIDENCE_AUDIT_SCAN} entries of the audit log` },
        // The same PDF the consent screen offers, inside this one file so evidence and its printable form travel together.
        consentPdf: { filename: pdf.filename, mimeType: pdf.mimeType, sha256: createHash('sha256').update(Buffer.from(pdf.base64, 'base64')).digest('hex'), base64: pdf.base64 },
      };
      return {
        filename: `consent-evidence-${consentId}-${fileDate(now)}.json`,
        mimeType: 'application/json',
        content: JSON.stringify(evidence, null, 2),
      };
    },
  };

  return {
    handlers,
    async finishIfWithdrawn(consentId, actor) {
      const doc = await records.ownerDoc(consentId, 'consent');
      if (!doc.withdrawals.some((w) => w.consentId === consentId)) return;
      await finishAtStripe(findConsent(doc, consentId), actor);
    },
  };
}
