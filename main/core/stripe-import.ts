/**
 * Importing a customer from what the shop's desks shared at Stripe (stripe-share.ts): the customer,
 * their consents (from the evidence file named in the SetupIntents' and Customer's metadata, each
 * text checked against its SHA-256), withdrawals, setups and saved methods, charges (PaymentIntents
 * by customer), refunds and subscriptions. Each imported record says where it came from (`origin`).
 *
 * `importCustomerFromStripe` is idempotent: records already here are left as they are (a record
 * imported earlier is only brought up to date when Stripe's state of it moved on), so importing
 * twice changes nothing. One import at a time per Stripe customer.
 */
import { isDeepStrictEqual } from 'node:util';
import Stripe from 'stripe';
import { Currency, LANGUAGES, type Language } from '../../preload/contract';
import {
  ConsentRecord,
  type ChargeRecord,
  type CustomerDoc,
  type CustomerRecord,
  type PriceRecord,
  type RecordOrigin,
  type RefundRecord,
  type SavedMethodRecord,
  type SetupRecord,
  type SubscriptionRecord,
  type WithdrawalRecord,
} from './data';
import { chargeTakesMoney, outcomeOfIntent, outcomeOfRefund } from './charges';
import { CustomerIndex } from './customer-index';
import { LOCAL_ID_METADATA_KEY } from './customers';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { paymentIntentOf, periodEndOf } from './subscriptions';
import { EVIDENCE_RECORD_NAME, EVIDENCE_TEXT_NAME, SHARE_KEYS, downloadStripeFile, pdfAttachments, sha256Of, sharedOnCustomer } from './stripe-share';

export interface ImportResult {
  customerId: string;
  stripeCustomerId: string;
  /** The customer's document was created by this import. */
  created: boolean;
  /** Anything was written (false: this desk already had all of it). */
  changed: boolean;
  /** Records added or brought up to date, by kind. */
  counts: { consents: number; withdrawals: number; setups: number; savedMethods: number; charges: number; refunds: number; subscriptions: number };
  /** Consents named at Stripe that were not imported: no evidence file yet, or one whose text does not match its hash. */
  skipped: { withoutEvidence: string[]; hashMismatch: string[] };
}

const iso = (unixSeconds: number | null | undefined): string | null => (unixSeconds ? new Date(unixSeconds * 1000).toISOString() : null);
const idOf = (value: string | { id: string } | null | undefined): string | null => (value == null ? null : typeof value === 'string' ? value : value.id);
const IMPORTED_BY = { staffId: 'stripe', name: 'Stripe' };
const byOf = (metadata: Stripe.Metadata | null | undefined) =>
  metadata?.mandate_desk_staff_name ? { staffId: metadata.mandate_desk_staff_id ?? '', name: metadata.mandate_desk_staff_name } : IMPORTED_BY;

async function listAll<T>(list: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of list) all.push(item);
  return all;
}

/** One import per Stripe customer at a time, per store (a second caller waits for the first and then finds nothing new). */
const chains = new WeakMap<object, Map<string, Promise<unknown>>>();
function oneAtATime<T>(scope: object, key: string, run: () => Promise<T>): Promise<T> {
  let map = chains.get(scope);
  if (!map) chains.set(scope, (map = new Map()));
  const result = (map.get(key) ?? Promise.resolve()).then(run, run);
  const tail = result.catch(() => {});
  map.set(key, tail);
  void tail.then(() => {
    if (map.get(key) === tail) map.delete(key);
  });
  return result;
}

/** The local id a Stripe customer has at every desk (its metadata), or the one this desk already linked it to. */
function localIdOf(env: CoreEnv, customer: Stripe.Customer): string | null {
  return env.records.index.customerByStripeId(customer.id)?.id ?? customer.metadata?.[LOCAL_ID_METADATA_KEY] ?? null;
}

function languageOf(customer: Stripe.Customer, fallback: Language): Language {
  const locale = customer.preferred_locales?.[0]?.slice(0, 2);
  return (LANGUAGES as readonly string[]).includes(locale ?? '') ? (locale as Language) : fallback;
}

/** The consent record inside an evidence file, if its text, its hash, the attached terms.txt (and the metadata's hash, when given) all agree. */
export async function consentFromEvidence(bytes: Uint8Array, expectSha256: string | null): Promise<{ record: ConsentRecord } | { mismatch: string }> {
  const attachments = await pdfAttachments(bytes);
  const json = attachments.get(EVIDENCE_RECORD_NAME);
  const terms = attachments.get(EVIDENCE_TEXT_NAME);
  if (!json || !terms) return { mismatch: 'the evidence file has no consent record or terms text attached' };
  const parsed = ConsentRecord.safeParse(JSON.parse(new TextDecoder().decode(json)));
  if (!parsed.success) return { mismatch: 'the consent record in the evidence file is not readable' };
  const record = parsed.data;
  const textHash = sha256Of(record.text);
  if (textHash !== record.textSha256) return { mismatch: 'the terms text does not match its SHA-256' };
  if (sha256Of(terms) !== record.textSha256) return { mismatch: 'the attached terms.txt does not match the SHA-256' };
  if (expectSha256 && expectSha256 !== record.textSha256) return { mismatch: "the SHA-256 in Stripe's metadata differs from the evidence" };
  return { record };
}

/** A charge record for a PaymentIntent a desk made (its metadata names the charge), or null for one that is not ours. */
export function chargeFromIntent(intent: Stripe.PaymentIntent, customerId: string, origin: RecordOrigin): ChargeRecord | null {
  const m = intent.metadata ?? {};
  const currency = Currency.safeParse(intent.currency);
  if (!m.mandate_desk_charge_id || !m.mandate_desk_consent_id || !currency.success || intent.amount <= 0) return null;
  const outcome = outcomeOfIntent(intent);
  const created = iso(intent.created)!;
  const final = outcome.known && outcome.status !== 'processing';
  return {
    id: m.mandate_desk_charge_id,
    customerId,
    consentId: m.mandate_desk_consent_id,
    paymentMethodId: idOf(intent.payment_method) ?? idOf(intent.last_payment_error?.payment_method) ?? '',
    amount: intent.amount,
    currency: currency.data,
    description: intent.description ?? '',
    status: outcome.known ? outcome.status : 'processing',
    idempotencyKey: `imported-${intent.id}`, // never sent from here: the desk that made it had its own
    requestKey: `import-${intent.id}`,
    paymentIntentId: intent.id,
    failure: outcome.known ? outcome.failure : null,
    createdAt: created,
    finishedAt: final ? created : null,
    createdBy: byOf(m),
    subscriptionId: null,
    ...(m.mandate_desk_terminal_id ? { terminalId: m.mandate_desk_terminal_id } : {}),
    origin: { ...origin, terminalId: m.mandate_desk_terminal_id ?? null },
  };
}

function refundFromStripe(refund: Stripe.Refund, origin: RecordOrigin): RefundRecord | null {
  const m = refund.metadata ?? {};
  const currency = Currency.safeParse(refund.currency);
  if (!m.mandate_desk_refund_id || !m.mandate_desk_charge_id || !currency.success) return null;
  const outcome = outcomeOfRefund(refund);
  const reason: RefundRecord['reason'] = refund.reason === 'duplicate' ? 'duplicate' : refund.reason === 'fraudulent' ? 'fraudulent' : 'requested_by_customer';
  return {
    id: m.mandate_desk_refund_id,
    chargeId: m.mandate_desk_charge_id,
    amount: refund.amount,
    currency: currency.data,
    reason,
    note: '',
    status: outcome.known ? outcome.status : 'processing',
    idempotencyKey: `imported-${refund.id}`,
    requestKey: `import-${refund.id}`,
    stripeRefundId: refund.id,
    failure: outcome.known ? outcome.failure : null,
    createdAt: iso(refund.created)!,
    createdBy: byOf(m),
    origin: { ...origin, terminalId: m.mandate_desk_terminal_id ?? null },
  };
}

/** Adds `record` when its key is new; replaces an earlier import of it when Stripe's state moved on. Returns whether anything changed. */
function merge<R extends { origin?: RecordOrigin }>(list: R[], record: R, keyOf: (r: R) => string): boolean {
  const at = list.findIndex((r) => keyOf(r) === keyOf(record));
  if (at === -1) {
    list.push(record);
    return true;
  }
  const existing = list[at];
  if (!existing.origin) return false; // made at this desk: its own passes keep it up to date
  const { origin: _a, ...before } = existing;
  const { origin: _b, ...after } = record;
  if (isDeepStrictEqual(before, after)) return false;
  list[at] = { ...record, origin: existing.origin };
  return true;
}

/**
 * Imports one Stripe customer and everything the shop's desks shared about them. Safe to call for a
 * customer already here (only what is missing or moved on is written) and twice in a row (nothing).
 */
export function importCustomerFromStripe(env: CoreEnv, stripeCustomerId: string): Promise<ImportResult> {
  return oneAtATime(env.records, stripeCustomerId, () => importNow(env, stripeCustomerId));
}

async function importNow(env: CoreEnv, stripeCustomerId: string): Promise<ImportResult> {
  const { records, stripe, clock, ids, logger } = env;
  const found = await stripe.customers.retrieve(stripeCustomerId);
  if ('deleted' in found && found.deleted) throw new AppError('not_found', `The Stripe customer ${stripeCustomerId} was deleted.`);
  const customer = found as Stripe.Customer;
  const importedAt = clock.now().toISOString();
  const origin: RecordOrigin = { source: 'stripe', importedAt };

  // --- the customer: the same local id at every desk (the Customer's metadata), so record ids resolve alike
  let customerId = localIdOf(env, customer);
  if (!customerId) {
    // a Customer no desk made: it gets its id now, and Stripe keeps it for the other desks
    customerId = ids.next('cust');
    await stripe.customers.update(customer.id, { metadata: { [LOCAL_ID_METADATA_KEY]: customerId } }, { idempotencyKey: `customer-link-${customerId}` });
  }
  let created = false;
  if (!records.index.has(customerId)) {
    const email = (customer.email ?? '').normalize('NFKC').trim().toLowerCase();
    const record: CustomerRecord = {
      id: customerId,
      name: customer.name || email || customer.id,
      email,
      phone: customer.phone ?? '',
      language: languageOf(customer, records.shop.data.settings.defaultLanguage),
      stripeCustomerId: customer.id,
      createdAt: iso(customer.created)!,
      createdBy: IMPORTED_BY,
      origin,
    };
    const id = customerId;
    await records.createCustomer(record, () => {
      const other = email ? records.index.customerByEmail(email) : null;
      if (other && other.id !== id) throw new AppError('conflict', `A customer with the e-mail ${email} already exists here (${other.name}); it is not linked to ${customer.id}.`);
    });
    created = true;
  }

  // --- what Stripe holds
  const [intentsOfSetup, sessions, paymentIntents, subscriptions] = await Promise.all([
    listAll(stripe.setupIntents.list({ customer: customer.id, limit: 100, expand: ['data.payment_method'] })),
    listAll(stripe.checkout.sessions.list({ customer: customer.id, limit: 100 })),
    listAll(stripe.paymentIntents.list({ customer: customer.id, limit: 100, expand: ['data.latest_charge'] })),
    listAll(stripe.subscriptions.list({ customer: customer.id, status: 'all', limit: 100 })),
  ]);
  const shared = sharedOnCustomer(customer.metadata);
  const doc = await records.requireCustomer(customerId);
  const skipped: ImportResult['skipped'] = { withoutEvidence: [], hashMismatch: [] };

  // --- consents: from their evidence file
  const consentFiles = new Map<string, { fileId: string | null; sha256: string | null }>();
  for (const e of shared.evidence) consentFiles.set(e.consentId, { fileId: e.fileIds[0] ?? null, sha256: null });
  for (const si of intentsOfSetup) {
    const consentId = si.metadata?.[SHARE_KEYS.consentId];
    if (!consentId) continue;
    const known = consentFiles.get(consentId);
    consentFiles.set(consentId, { fileId: si.metadata?.[SHARE_KEYS.evidenceFile] ?? known?.fileId ?? null, sha256: si.metadata?.[SHARE_KEYS.textSha256] ?? known?.sha256 ?? null });
  }
  const newConsents: ConsentRecord[] = [];
  for (const [consentId, { fileId, sha256 }] of consentFiles) {
    if (doc.consents.some((c) => c.id === consentId)) continue;
    if (records.index.ownerOf(consentId) !== customerId && !consentId.endsWith(`.${customerId}`)) continue;
    if (!fileId) {
      skipped.withoutEvidence.push(consentId);
      continue;
    }
    const checked = await consentFromEvidence(await downloadStripeFile(stripe, fileId), sha256);
    if ('mismatch' in checked || checked.record.id !== consentId) {
      logger.warn('consent evidence at Stripe not imported', { consentId, fileId, problem: 'mismatch' in checked ? checked.mismatch : 'another consent id' });
      skipped.hashMismatch.push(consentId);
      continue;
    }
    newConsents.push({
      ...checked.record,
      customerId,
      stripeCustomerId: customer.id,
      origin: { ...origin, terminalId: checked.record.terminalId },
      stripeEvidence: { state: 'uploaded', fileIds: [fileId], attempts: 0, nextAttemptAt: null, lastError: null, doneAt: importedAt },
    });
  }
  const consentIds = new Set([...doc.consents.map((c) => c.id), ...newConsents.map((c) => c.id)]);

  // --- withdrawals (SetupIntent metadata, else the Customer's)
  const withdrawals: WithdrawalRecord[] = [];
  const withdrawal = (consentId: string, id: string, at: string, by: string, reason: string) => {
    if (!consentIds.has(consentId) || withdrawals.some((w) => w.consentId === consentId)) return;
    withdrawals.push({ id, consentId, at, by: { staffId: '', name: by }, reason, origin });
  };
  for (const si of intentsOfSetup) {
    const m = si.metadata ?? {};
    if (m[SHARE_KEYS.consentId] && m[SHARE_KEYS.withdrawnAt] && m[SHARE_KEYS.withdrawalId])
      withdrawal(m[SHARE_KEYS.consentId], m[SHARE_KEYS.withdrawalId], m[SHARE_KEYS.withdrawnAt], m[SHARE_KEYS.withdrawnBy] ?? '', m[SHARE_KEYS.withdrawalReason] ?? '');
  }
  for (const w of shared.withdrawals) withdrawal(w.consentId, w.withdrawalId, w.at, w.by, w.reason);

  // --- setups that saved a method, and the methods (detached when Stripe no longer has them attached)
  const sessionOf = new Map(sessions.filter((s) => s.setup_intent).map((s) => [idOf(s.setup_intent)!, s]));
  const setups: SetupRecord[] = [];
  const methods: SavedMethodRecord[] = [];
  for (const si of intentsOfSetup) {
    const m = si.metadata ?? {};
    const consentId = m[SHARE_KEYS.consentId];
    const setupId = m[SHARE_KEYS.setupId];
    const method = typeof si.payment_method === 'object' ? si.payment_method : null;
    if (!consentId || !setupId || !consentIds.has(consentId) || si.status !== 'succeeded' || !method) continue;
    const session = sessionOf.get(si.id);
    const at = iso(si.created)!;
    setups.push({
      id: setupId,
      customerId,
      consentId,
      checkoutSessionId: session?.id ?? '',
      url: null,
      status: 'succeeded',
      expiresAt: iso(session?.expires_at) ?? at,
      createdAt: at,
      createdBy: IMPORTED_BY,
      finishedAt: at,
      setupIntentId: si.id,
      paymentMethodId: method.id,
      mandateId: idOf(si.mandate),
      failure: null,
      origin: { ...origin, terminalId: m[SHARE_KEYS.terminalId] ?? null },
    });
    methods.push({
      paymentMethodId: method.id,
      type: 'amazon_pay',
      customerId,
      consentId,
      setupId,
      setupIntentId: si.id,
      mandateId: idOf(si.mandate),
      savedAt: at,
      detachedAt: method.customer ? null : (doc.savedMethods.find((x) => x.paymentMethodId === method.id)?.detachedAt ?? importedAt),
      billingEmail: method.billing_details?.email || null,
      billingName: method.billing_details?.name || null,
      origin,
    });
  }

  // --- charges and their refunds
  const charges: ChargeRecord[] = [];
  const refunds: RefundRecord[] = [];
  for (const intent of paymentIntents) {
    const charge = chargeFromIntent(intent, customerId, origin);
    if (!charge || !consentIds.has(charge.consentId)) continue;
    charges.push(charge);
    const latest = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
    if (!latest || (latest.amount_refunded === 0 && !latest.refunded)) continue;
    for (const refund of await listAll(stripe.refunds.list({ payment_intent: intent.id, limit: 100 }))) {
      const record = refundFromStripe(refund, origin);
      if (record) refunds.push(record);
    }
  }

  // --- subscriptions, their payments and the charges of paid invoices
  const subs: SubscriptionRecord[] = [];
  const invoiceCharges: ChargeRecord[] = [];
  const prices: PriceRecord[] = [];
  for (const sub of subscriptions) {
    const m = sub.metadata ?? {};
    const consentId = m.mandate_desk_consent_id;
    if (!m.mandate_desk_subscription_id || !consentId || !consentIds.has(consentId)) continue;
    const price = sub.items.data[0]?.price;
    if (!price) continue;
    if (!records.shop.data.prices.some((p) => p.id === price.id) && !prices.some((p) => p.id === price.id)) {
      const currency = Currency.safeParse(price.currency);
      const product = typeof price.product === 'string' ? await stripe.products.retrieve(price.product) : price.product;
      const interval = price.recurring?.interval as PriceRecord['interval'] | undefined;
      if (!currency.success || !price.recurring || !price.unit_amount || (interval !== 'day' && interval !== 'week' && interval !== 'month' && interval !== 'year')) continue;
      prices.push({
        id: price.id,
        productId: product.id,
        productName: 'name' in product ? product.name : product.id,
        amount: price.unit_amount,
        currency: currency.data,
        interval,
        intervalCount: price.recurring.interval_count,
        requestKey: `import-${price.id}`,
        createdAt: iso(price.created)!,
      });
    }
    const invoices = await listAll(stripe.invoices.list({ subscription: sub.id, limit: 100, expand: ['data.payments'] }));
    const payments: SubscriptionRecord['payments'] = [];
    for (const invoice of [...invoices].sort((a, b) => a.created - b.created)) {
      const currency = Currency.safeParse(invoice.currency);
      if (!currency.success) continue;
      const paidAt = iso(invoice.status_transitions?.paid_at);
      payments.push({ invoiceId: invoice.id, amount: invoice.status === 'paid' ? invoice.amount_paid : invoice.amount_due, currency: currency.data, status: invoice.status ?? 'draft', paidAt });
      const key = `invoice-${invoice.id}`;
      if (invoice.status !== 'paid' || invoice.amount_paid <= 0 || doc.charges.some((c) => c.requestKey === key)) continue;
      const at = paidAt ?? importedAt;
      invoiceCharges.push({
        id: records.newId('chg', customerId),
        customerId,
        consentId,
        paymentMethodId: idOf(sub.default_payment_method) ?? '',
        amount: invoice.amount_paid,
        currency: currency.data,
        description: `${prices.find((p) => p.id === price.id)?.productName ?? records.shop.data.prices.find((p) => p.id === price.id)?.productName ?? price.id} · ${invoice.number ?? invoice.id}`,
        status: 'succeeded',
        idempotencyKey: key,
        requestKey: key,
        paymentIntentId: paymentIntentOf(invoice),
        failure: null,
        createdAt: at,
        finishedAt: at,
        createdBy: IMPORTED_BY,
        subscriptionId: m.mandate_desk_subscription_id,
        origin,
      });
    }
    subs.push({
      id: m.mandate_desk_subscription_id,
      stripeSubscriptionId: sub.id,
      customerId,
      consentId,
      paymentMethodId: idOf(sub.default_payment_method) ?? '',
      priceId: price.id,
      status: sub.status,
      idempotencyKey: `imported-${sub.id}`,
      requestKey: `import-${sub.id}`,
      currentPeriodEnd: periodEndOf(sub),
      cancelAtPeriodEnd: sub.cancel_at_period_end,
      canceledAt: iso(sub.canceled_at),
      createdAt: iso(sub.created)!,
      createdBy: IMPORTED_BY,
      payments,
      origin,
    });
  }

  if (prices.length > 0)
    await records.shop.update((draft) => {
      for (const price of prices) if (!draft.prices.some((p) => p.id === price.id)) draft.prices.push(price);
    });

  // --- one write, only when something is new or moved on
  const counts: ImportResult['counts'] = { consents: 0, withdrawals: 0, setups: 0, savedMethods: 0, charges: 0, refunds: 0, subscriptions: 0 };
  const apply = (draft: CustomerDoc) => {
    const c = { ...counts };
    const add = <R>(list: R[], record: R, isNew: boolean, kind: keyof ImportResult['counts']) => {
      if (!isNew) return;
      list.push(record);
      c[kind]++;
    };
    for (const r of newConsents) add(draft.consents, r, !draft.consents.some((x) => x.id === r.id), 'consents');
    for (const r of withdrawals) add(draft.withdrawals, r, !draft.withdrawals.some((x) => x.consentId === r.consentId), 'withdrawals');
    for (const r of setups) if (merge(draft.setups, r, (x) => x.id)) c.setups++;
    for (const r of methods) if (merge(draft.savedMethods, r, (x) => x.paymentMethodId)) c.savedMethods++;
    for (const r of charges) if (merge(draft.charges, r, (x) => x.id)) c.charges++;
    for (const r of invoiceCharges) add(draft.charges, r, !draft.charges.some((x) => x.requestKey === r.requestKey), 'charges');
    for (const r of refunds) if (merge(draft.refunds, r, (x) => x.id)) c.refunds++;
    for (const r of subs) if (merge(draft.subscriptions, r, (x) => x.id)) c.subscriptions++;
    return c;
  };
  const preview = apply(structuredClone(doc) as CustomerDoc);
  const changed = Object.values(preview).some((n) => n > 0);
  const result = changed ? await records.updateCustomer(customerId, apply) : preview;
  return { customerId, stripeCustomerId: customer.id, created, changed: changed || created, counts: result, skipped };
}

// ---------------------------------------------------------------- what charging asks (charges.ts hooks)

/**
 * Before a charge: the consent's SetupIntent says whether another desk withdrew it (one retrieve);
 * for a single-payment consent, the customer's PaymentIntents say whether another desk charged it
 * already and how many attempts failed. What is found is written into the customer's document.
 */
export function chargeChecksAtStripe(env: CoreEnv) {
  const { records, stripe, clock } = env;

  /**
   * Stripe could not be asked: the charge goes ahead as before (written, sent when Stripe answers).
   * A withdrawal elsewhere detached the method at Stripe, which then refuses the payment itself.
   */
  const unchecked = (error: unknown): { failedAttempts: number } => {
    if (!(error instanceof Stripe.errors.StripeError)) throw error;
    env.logger.warn('could not check the consent at Stripe before charging; charging on what this desk knows', { error: error.message });
    return { failedAttempts: 0 };
  };

  const intentsOfConsent = async (customerId: string, consentId: string): Promise<Stripe.PaymentIntent[]> => {
    const stripeCustomerId = records.index.customer(customerId)?.stripeCustomerId;
    if (!stripeCustomerId) return [];
    const all = await listAll(stripe.paymentIntents.list({ customer: stripeCustomerId, limit: 100 }));
    return all.filter((i) => i.metadata?.mandate_desk_consent_id === consentId);
  };

  const importCharges = async (customerId: string, intents: Stripe.PaymentIntent[]) => {
    const origin: RecordOrigin = { source: 'stripe', importedAt: clock.now().toISOString() };
    const found = intents.map((i) => chargeFromIntent(i, customerId, origin)).filter((c): c is ChargeRecord => c !== null);
    const doc = await records.requireCustomer(customerId);
    const fresh = found.filter((c) => !doc.charges.some((x) => x.id === c.id));
    if (fresh.length > 0)
      await records.updateCustomer(customerId, (draft) => {
        for (const c of fresh) if (!draft.charges.some((x) => x.id === c.id)) draft.charges.push(c);
      });
  };

  return {
    async beforeCharge(target: { customerId: string; consentId: string; paymentMethodId: string }): Promise<{ failedAttempts: number }> {
      const doc = await records.requireCustomer(target.customerId);
      const consent = doc.consents.find((c) => c.id === target.consentId);
      const method = doc.savedMethods.find((m) => m.paymentMethodId === target.paymentMethodId);
      if (!consent || !method || doc.withdrawals.some((w) => w.consentId === consent.id)) return { failedAttempts: 0 }; // the rules refuse it as it is
      try {
        const intent = await stripe.setupIntents.retrieve(method.setupIntentId);
        const m = intent.metadata ?? {};
        if (m[SHARE_KEYS.withdrawnAt] && (!m[SHARE_KEYS.consentId] || m[SHARE_KEYS.consentId] === consent.id)) {
          const record: WithdrawalRecord = {
            id: m[SHARE_KEYS.withdrawalId] ?? CustomerIndex.ownedId(`wdr_stripe_${intent.id}`, consent.customerId),
            consentId: consent.id,
            at: m[SHARE_KEYS.withdrawnAt],
            by: { staffId: '', name: m[SHARE_KEYS.withdrawnBy] ?? '' },
            reason: m[SHARE_KEYS.withdrawalReason] ?? '',
            origin: { source: 'stripe', importedAt: clock.now().toISOString() },
          };
          // written before the refusal, so this desk refuses it from now on without asking again
          await records.updateCustomer(consent.customerId, (draft) => {
            if (!draft.withdrawals.some((w) => w.consentId === consent.id)) draft.withdrawals.push(record);
          });
          return { failedAttempts: 0 };
        }
        if (consent.params.frequency !== 'one_off') return { failedAttempts: 0 };
        const intents = await intentsOfConsent(consent.customerId, consent.id);
        await importCharges(consent.customerId, intents.filter((i) => chargeTakesMoney(outcomeStatus(i))));
        return { failedAttempts: intents.filter((i) => !chargeTakesMoney(outcomeStatus(i))).length };
      } catch (error) {
        return unchecked(error);
      }
    },

    async chargedElsewhere(charge: ChargeRecord): Promise<Stripe.PaymentIntent | null> {
      const intents = await intentsOfConsent(charge.customerId, charge.consentId);
      const ours = intents.find((i) => i.metadata?.mandate_desk_charge_id === charge.id);
      if (ours) return ours;
      const theirs = intents.find((i) => chargeTakesMoney(outcomeStatus(i)) && i.metadata?.mandate_desk_charge_id);
      if (!theirs) return null;
      await importCharges(charge.customerId, [theirs]);
      return theirs;
    },
  };
}

const outcomeStatus = (intent: Stripe.PaymentIntent) => {
  const outcome = outcomeOfIntent(intent);
  return outcome.known ? outcome.status : 'processing';
};

