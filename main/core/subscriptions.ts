/**
 * Prices and subscriptions charged off-session to a saved Amazon Pay method.
 *
 * Like one-off charges, a subscription is written ahead (status `incomplete`, no Stripe id yet)
 * with its own idempotency key before `subscriptions.create` is sent, so a lost answer, a repeat
 * or a crash never makes a second subscription. Each paid invoice (the first one and every
 * renewal) is kept twice, consistently: as a payment on the subscription record, and as a
 * succeeded ChargeRecord with `subscriptionId` set, so it shows in the customer's charge history,
 * gets a receipt and can be refunded like any other charge.
 */
import type Stripe from 'stripe';
import { Currency, type ParsedInput, type PriceView, type SubscriptionView } from '../../preload/contract';
import type { ChargeRecord, PriceRecord, SubscriptionRecord } from './data';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { actorOf, assertMayCharge, failureOf, IDEMPOTENCY_KEY_SAFE_AGE_MS, isOutcomeUnknown, repeatOf, singleFlight, stripeCustomerIdOf } from './charges';
import { chargeView, newestFirst, priceView, subscriptionView } from './views';

const UNKNOWN_MESSAGE =
  'Stripe did not answer, so it is not known yet whether the subscription was created. It is checked again with the same key (it can never be created twice) when you refresh the customer, repeat this request, or restart the app.';

/** Written ahead and not yet confirmed by Stripe. */
function isUnsent(record: SubscriptionRecord): boolean {
  return record.stripeSubscriptionId === null && record.status === 'incomplete';
}

const toIso = (unixSeconds: number | null | undefined): string | null => (unixSeconds ? new Date(unixSeconds * 1000).toISOString() : null);
const idOf = (value: string | { id: string } | null | undefined): string | null => (value == null ? null : typeof value === 'string' ? value : value.id);

/** The period end of the subscription: on recent API versions it lives on the items (the earliest one bills next). */
export function periodEndOf(subscription: Stripe.Subscription): string | null {
  const ends = subscription.items.data.map((item) => item.current_period_end).filter((end) => typeof end === 'number');
  return ends.length ? toIso(Math.min(...ends)) : null;
}

export function paymentIntentOf(invoice: Stripe.Invoice): string | null {
  const payments = invoice.payments?.data ?? [];
  const paid = payments.find((p) => p.status === 'paid') ?? payments.find((p) => p.is_default);
  return idOf(paid?.payment.payment_intent);
}

type SubscriptionInput = ParsedInput<'subscriptions.create'>;
type PriceInput = ParsedInput<'prices.create'>;

/** Prices and subscriptions; `resolveInterrupted` is the start-up pass for subscriptions whose create got no answer. */
export function createSubscriptions(env: CoreEnv) {
  const { records, stripe, clock, emit, logger } = env;
  const shop = records.shop;
  const once = singleFlight();

  const findSubscription = async (subscriptionId: string): Promise<SubscriptionRecord> => {
    const record = (await records.ownerDoc(subscriptionId, 'subscription')).subscriptions.find((s) => s.id === subscriptionId);
    if (!record) throw new AppError('not_found', `There is no subscription with id ${subscriptionId}.`);
    return record;
  };
  const viewOf = async (subscriptionId: string): Promise<SubscriptionView> => subscriptionView(shop.data.prices, await findSubscription(subscriptionId));

  /** Exactly the same request every time for a subscription: Stripe rejects a reused key with other params. */
  const createParams = (record: SubscriptionRecord): Stripe.SubscriptionCreateParams => ({
    customer: stripeCustomerIdOf(records, record.customerId),
    items: [{ price: record.priceId }],
    default_payment_method: record.paymentMethodId,
    off_session: true,
    metadata: {
      mandate_desk_subscription_id: record.id,
      mandate_desk_consent_id: record.consentId,
      mandate_desk_customer_id: record.customerId,
    },
    expand: ['latest_invoice.payments'], // the first invoice and the PaymentIntent that paid it
  });

  const invoicesOf = async (stripeSubscriptionId: string): Promise<Stripe.Invoice[]> => {
    const invoices: Stripe.Invoice[] = [];
    for await (const invoice of stripe.invoices.list({ subscription: stripeSubscriptionId, limit: 100, expand: ['data.payments'] })) invoices.push(invoice);
    return invoices;
  };

  /**
   * Stores what Stripe says about a subscription and its invoices: status, period, cancellation,
   * one payment per invoice, and one succeeded charge per paid invoice (added once, keyed by invoice).
   */
  const applyFromStripe = async (subscriptionId: string, subscription: Stripe.Subscription, invoices: Stripe.Invoice[]): Promise<void> => {
    const { customer } = await records.ownerDoc(subscriptionId, 'subscription');
    const newCharges = await records.updateCustomer(customer.id, (draft) => {
      const record = draft.subscriptions.find((s) => s.id === subscriptionId)!;
      record.stripeSubscriptionId = subscription.id;
      record.status = subscription.status;
      record.currentPeriodEnd = periodEndOf(subscription);
      record.cancelAtPeriodEnd = subscription.cancel_at_period_end;
      record.canceledAt = toIso(subscription.canceled_at);
      const added: string[] = [];
      for (const invoice of [...invoices].sort((a, b) => a.created - b.created)) {
        const currency = Currency.safeParse(invoice.currency);
        if (!currency.success) {
          logger.warn('subscription invoice in a currency the app does not support; skipped', { invoiceId: invoice.id, currency: invoice.currency });
          continue;
        }
        const paidAt = toIso(invoice.status_transitions?.paid_at);
        const payment = {
          invoiceId: invoice.id,
          amount: invoice.status === 'paid' ? invoice.amount_paid : invoice.amount_due,
          currency: currency.data,
          status: invoice.status ?? 'draft',
          paidAt,
        };
        const index = record.payments.findIndex((p) => p.invoiceId === invoice.id);
        if (index >= 0) record.payments[index] = payment;
        else record.payments.push(payment);

        const chargeKey = `invoice-${invoice.id}`;
        if (invoice.status !== 'paid' || invoice.amount_paid <= 0) continue;
        const known = draft.charges.find((c) => c.requestKey === chargeKey);
        if (known) {
          known.paymentIntentId ??= paymentIntentOf(invoice);
          continue;
        }
        const product = shop.data.prices.find((p) => p.id === record.priceId)?.productName ?? record.priceId;
        const at = paidAt ?? clock.now().toISOString();
        const charge: ChargeRecord = {
          id: records.newId('chg', record.customerId),
          customerId: record.customerId,
          consentId: record.consentId,
          paymentMethodId: record.paymentMethodId,
          amount: invoice.amount_paid,
          currency: currency.data,
          description: `${product} · ${invoice.number ?? invoice.id}`, // no words: shown as is in either language
          status: 'succeeded',
          idempotencyKey: chargeKey, // never sent: Stripe made this payment itself
          requestKey: chargeKey,
          paymentIntentId: paymentIntentOf(invoice),
          failure: null,
          createdAt: at,
          finishedAt: at,
          createdBy: record.createdBy,
          subscriptionId: record.id,
        };
        draft.charges.push(charge);
        added.push(charge.id);
      }
      return added;
    });
    if (newCharges.length === 0) return;
    const doc = await records.requireCustomer(customer.id);
    for (const chargeId of newCharges) emit('charge.updated', chargeView(doc, doc.charges.find((c) => c.id === chargeId)!));
  };

  /** The create's answer carries its first invoice (expanded); a subscription found by listing does not, so ask. */
  const firstInvoicesOf = async (subscription: Stripe.Subscription): Promise<Stripe.Invoice[]> =>
    subscription.latest_invoice && typeof subscription.latest_invoice === 'object' ? [subscription.latest_invoice] : invoicesOf(subscription.id);

  /** The subscription made for this record, found by its id in the metadata (works after the key has expired). */
  const findAtStripe = async (record: SubscriptionRecord): Promise<Stripe.Subscription | null> => {
    const customer = stripeCustomerIdOf(records, record.customerId);
    for await (const subscription of stripe.subscriptions.list({ customer, status: 'all', limit: 100 })) {
      if (subscription.metadata?.mandate_desk_subscription_id === record.id) return subscription;
    }
    return null;
  };

  /** Marks a subscription Stripe refused to create: it never existed, so it will never charge. */
  const recordRefused = async (subscriptionId: string) => {
    const { customer } = await records.ownerDoc(subscriptionId, 'subscription');
    await records.updateCustomer(customer.id, (draft) => {
      draft.subscriptions.find((s) => s.id === subscriptionId)!.status = 'incomplete_expired';
    });
  };

  /**
   * Sends (or re-sends, same key) the create for a written-ahead subscription and stores the result.
   * Throws when Stripe refused it (recorded as incomplete_expired) or its answer is still unknown
   * (the record stays as it is, to be settled later).
   */
  const settleUnsent = (subscriptionId: string): Promise<void> =>
    once(subscriptionId, async () => {
      const record = await findSubscription(subscriptionId);
      if (!isUnsent(record)) return;
      const keyAge = clock.now().getTime() - Date.parse(record.createdAt);
      let subscription = keyAge > IDEMPOTENCY_KEY_SAFE_AGE_MS ? await findAtStripe(record) : null;
      if (!subscription) {
        try {
          subscription = await stripe.subscriptions.create(createParams(record), { idempotencyKey: record.idempotencyKey });
        } catch (error) {
          if (!isOutcomeUnknown(error)) {
            await recordRefused(subscriptionId);
            const failure = failureOf(error as Stripe.errors.StripeError);
            throw new AppError('stripe_error', `Stripe did not create the subscription: ${failure.message}`, { stripeCode: failure.code, stripeMessage: failure.message });
          }
          logger.warn('subscription outcome unknown; stays unsent', { subscriptionId, error: String(error) });
          subscription = await findAtStripe(record).catch(() => null);
          if (!subscription) throw new AppError('stripe_unreachable', UNKNOWN_MESSAGE);
        }
      }
      await applyFromStripe(subscriptionId, subscription, await firstInvoicesOf(subscription));
    });

  /** Re-reads a confirmed subscription and all its invoices (renewals) from Stripe. */
  const pull = async (record: SubscriptionRecord): Promise<void> => {
    const subscription = await stripe.subscriptions.retrieve(record.stripeSubscriptionId!);
    await applyFromStripe(record.id, subscription, await invoicesOf(subscription.id));
  };

  const createSubscription = async (input: SubscriptionInput, actor: { staffId: string; name: string }): Promise<SubscriptionView> => {
    const now = clock.now();
    const subscriptionId = records.newId('sub', input.customerId);
    const result = await records.updateCustomer(input.customerId, (draft): { existingId: string } | { createdId: string } => {
      const existing = repeatOf(draft.subscriptions, input, ['customerId', 'consentId', 'paymentMethodId', 'priceId'], 'subscription');
      if (existing) return { existingId: existing.id };
      const price = shop.data.prices.find((p) => p.id === input.priceId);
      if (!price) throw new AppError('not_found', `There is no price with id ${input.priceId}.`);
      assertMayCharge(draft, input, { amount: price.amount, currency: price.currency, kind: 'subscription', now });
      draft.subscriptions.push({
        id: subscriptionId,
        stripeSubscriptionId: null,
        customerId: input.customerId,
        consentId: input.consentId,
        paymentMethodId: input.paymentMethodId,
        priceId: price.id,
        status: 'incomplete',
        idempotencyKey: `subscription-${subscriptionId}`,
        requestKey: input.requestKey,
        currentPeriodEnd: null,
        cancelAtPeriodEnd: false,
        canceledAt: null,
        createdAt: now.toISOString(),
        createdBy: actor,
        payments: [],
      });
      return { createdId: subscriptionId };
    });
    const id = 'createdId' in result ? result.createdId : result.existingId;
    await settleUnsent(id);
    return viewOf(id);
  };

  const cancelSubscription = async ({ subscriptionId, atPeriodEnd }: ParsedInput<'subscriptions.cancel'>): Promise<SubscriptionView> => {
    let record = await findSubscription(subscriptionId);
    if (isUnsent(record)) {
      await settleUnsent(subscriptionId);
      record = await findSubscription(subscriptionId);
    }
    if (!record.stripeSubscriptionId) throw new AppError('conflict', 'This subscription was never created at Stripe; there is nothing to cancel.');
    if (record.status === 'canceled' || (atPeriodEnd && record.cancelAtPeriodEnd)) return viewOf(subscriptionId);
    const subscription = atPeriodEnd
      ? await stripe.subscriptions.update(record.stripeSubscriptionId, { cancel_at_period_end: true })
      : await stripe.subscriptions.cancel(record.stripeSubscriptionId);
    await applyFromStripe(subscriptionId, subscription, []);
    return viewOf(subscriptionId);
  };

  const refresh = async ({ customerId }: ParsedInput<'subscriptions.refresh'>): Promise<SubscriptionView[]> => {
    for (const record of (await records.requireCustomer(customerId)).subscriptions) {
      if (isUnsent(record)) await settleUnsent(record.id);
      else if (record.stripeSubscriptionId) await pull(record);
    }
    const { subscriptions } = await records.requireCustomer(customerId);
    return newestFirst(subscriptions, (s) => s.createdAt).map((s) => subscriptionView(shop.data.prices, s));
  };

  // ------------------------------------------------ prices

  const createPrice = async (input: PriceInput): Promise<PriceView> => {
    const existing = repeatOf(shop.data.prices, input, ['productName', 'amount', 'currency', 'interval', 'intervalCount'], 'price');
    if (existing) return priceView(existing);
    // Keys derived from the request key: a repeated request gets the same product and price back from Stripe.
    const metadata = { mandate_desk_request_key: input.requestKey };
    const product = await stripe.products.create({ name: input.productName, metadata }, { idempotencyKey: `product-${input.requestKey}` });
    const price = await stripe.prices.create(
      { product: product.id, unit_amount: input.amount, currency: input.currency, recurring: { interval: input.interval, interval_count: input.intervalCount }, metadata },
      { idempotencyKey: `price-${input.requestKey}` },
    );
    const record = await shop.update((draft) => {
      const stored = draft.prices.find((p) => p.requestKey === input.requestKey);
      if (stored) return stored; // a concurrent repeat stored the same price first
      const created: PriceRecord = {
        id: price.id,
        productId: product.id,
        productName: input.productName,
        amount: input.amount,
        currency: input.currency,
        interval: input.interval,
        intervalCount: input.intervalCount,
        requestKey: input.requestKey,
        createdAt: clock.now().toISOString(),
      };
      draft.prices.push(created);
      return created;
    });
    return priceView(record);
  };

  const handlers: Pick<Handlers, 'prices.list' | 'prices.create' | 'subscriptions.create' | 'subscriptions.cancel' | 'subscriptions.refresh'> = {
    'prices.list': async () => newestFirst(shop.data.prices, (p) => p.createdAt).map(priceView),
    'prices.create': (input) => createPrice(input),
    'subscriptions.create': (input, ctx) => createSubscription(input, actorOf(ctx)),
    'subscriptions.cancel': (input) => cancelSubscription(input),
    'subscriptions.refresh': (input) => refresh(input),
  };

  /** Start-up pass: subscriptions written ahead whose create never got an answer. */
  const resolveInterrupted = async (): Promise<void> => {
    for (const { id } of records.index.openWork('subscription')) {
      await settleUnsent(id).catch((error) => logger.warn('could not resolve interrupted subscription', { subscriptionId: id, error: String(error) }));
    }
  };

  /**
   * A renewal paid or failed (learnt from Stripe's events): re-reads the subscription and that one
   * invoice, and stores them as `pull` would (cost: one subscription, one invoice).
   */
  const applyInvoice = async (subscriptionId: string, invoiceId: string): Promise<void> => {
    const record = await findSubscription(subscriptionId);
    if (!record.stripeSubscriptionId) return;
    const [subscription, invoice] = await Promise.all([
      stripe.subscriptions.retrieve(record.stripeSubscriptionId),
      stripe.invoices.retrieve(invoiceId, { expand: ['payments'] }),
    ]);
    await applyFromStripe(subscriptionId, subscription, [invoice]);
  };

  return { handlers, resolveInterrupted, applyInvoice };
}

