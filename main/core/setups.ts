/**
 * Setup sessions: Stripe Checkout in setup mode, opened in the system browser, that saves the
 * customer's Amazon Pay account as a payment method linked to their consent.
 *
 * Every way of learning how a session ended — the loopback return page, polling while a session is
 * open, the manual "check now" and the start-up reconcile — goes through `refreshSetup`, which
 * makes exactly one Stripe request (the session with its SetupIntent and payment method expanded)
 * and writes only when something changed. A finished setup is never changed again.
 */
import Stripe from 'stripe';
import type { SetupView } from '../../preload/contract';
import type { AppData, SetupRecord } from './data';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { mainText } from './i18n';
import { createPoller, pollIntervalOf } from './poller';
import { isAllowedCheckoutUrl } from './urls';
import { consentStatus, newestFirst, setupView } from './views';

export interface Setups {
  handlers: Pick<Handlers, 'setups.start' | 'setups.check' | 'setups.cancel' | 'setups.reopen' | 'setups.listOpen'>;
  /** Start-up pass: refreshes every setup still open in the store once (sessions finished while the app was closed). */
  reconcile(): Promise<void>;
  /** The customer's browser came back to the loopback page; throws `not_found` for an unknown setup. */
  completeFromReturn(setupId: string): Promise<void>;
  /** The customer left Checkout by its cancel link and the session is still open: tell the desk at once. */
  noteCustomerCanceled(setupId: string): void;
  startPolling(): void;
  stopPolling(): void;
}


const EXPAND_FOR_COMPLETION = ['setup_intent', 'setup_intent.payment_method'];

/** Appends `session_id={CHECKOUT_SESSION_ID}` to the query. Done on the string, so the braces Stripe looks for stay literal. */
export function withSessionIdPlaceholder(url: string): string {
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : url.slice(hashAt);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}session_id={CHECKOUT_SESSION_ID}${hash}`;
}

const idOf = (value: string | { id: string } | null | undefined): string | null => (typeof value === 'string' ? value : value?.id ?? null);

/** What a retrieved session means for our record; null when nothing changed at Stripe. */
type Outcome =
  | { status: 'succeeded'; setupIntentId: string; paymentMethodId: string; mandateId: string | null }
  | { status: 'failed'; setupIntentId: string | null; failure: { code: string; message: string } }
  | { status: 'expired' };

function outcomeOf(session: Stripe.Checkout.Session): Outcome | null {
  const intent = typeof session.setup_intent === 'object' ? session.setup_intent : null;
  if (session.status === 'expired') return { status: 'expired' };
  if (session.status === 'complete') {
    const paymentMethodId = idOf(intent?.payment_method);
    // A complete session whose SetupIntent has not succeeded yet (e.g. processing) is still in flight.
    if (!intent || intent.status !== 'succeeded' || !paymentMethodId) return null;
    return { status: 'succeeded', setupIntentId: intent.id, paymentMethodId, mandateId: idOf(intent.mandate) };
  }
  if (session.status === 'open' && intent?.last_setup_error) {
    const error = intent.last_setup_error;
    return {
      status: 'failed',
      setupIntentId: intent.id,
      failure: { code: error.code ?? error.type ?? 'setup_failed', message: error.message ?? '' },
    };
  }
  return null;
}

export interface SetupHooks {
  /** Runs after a setup saved a payment method (e.g. to detach it again if the consent was withdrawn meanwhile). */
  afterMethodSaved?(consentId: string): Promise<void>;
}

export function createSetups(env: CoreEnv, hooks: SetupHooks = {}): Setups {
  const { store, stripe, clock, ids, logger } = env;

  const findSetup = (setupId: string): SetupRecord => {
    const record = store.data.setups.find((s) => s.id === setupId);
    if (!record) throw new AppError('not_found', `There is no setup with id ${setupId}.`);
    return record;
  };
  const openSetups = (data: Readonly<AppData> = store.data) => data.setups.filter((s) => s.status === 'open');
  // Open setups whose customer came back by the cancel link: in memory only (a restart forgets it, the session is unchanged).
  const customerCanceled = new Map<string, string>();
  const viewWithReturn = (record: SetupRecord): SetupView => {
    const at = record.status === 'open' ? customerCanceled.get(record.id) : undefined;
    return at ? { ...setupView(record), customerCanceledAt: at } : setupView(record);
  };
  const viewOf = (setupId: string): SetupView => viewWithReturn(findSetup(setupId));

  // --- one operation at a time per setup: a poll, the return page and a cancel never interleave
  const chains = new Map<string, Promise<unknown>>();
  function serialized<T>(setupId: string, operation: () => Promise<T>): Promise<T> {
    const previous = chains.get(setupId) ?? Promise.resolve();
    const result = previous.then(operation, operation);
    const tail = result.catch(() => {});
    chains.set(setupId, tail);
    void tail.then(() => {
      if (chains.get(setupId) === tail) chains.delete(setupId);
    });
    return result;
  }

  /** Moves an open setup to a final state and records its saved method; a no-op once the setup is finished. */
  async function finish(setupId: string, outcome: Outcome | { status: 'canceled' }): Promise<void> {
    const now = clock.now().toISOString();
    const changed = await store.update((draft) => {
      const record = draft.setups.find((s) => s.id === setupId);
      if (!record || record.status !== 'open') return false; // never downgrade a finished setup
      record.status = outcome.status;
      record.finishedAt = now;
      record.url = null;
      if (outcome.status === 'succeeded') {
        record.setupIntentId = outcome.setupIntentId;
        record.paymentMethodId = outcome.paymentMethodId;
        record.mandateId = outcome.mandateId;
        if (!draft.savedMethods.some((m) => m.paymentMethodId === outcome.paymentMethodId)) {
          draft.savedMethods.push({
            paymentMethodId: outcome.paymentMethodId,
            type: 'amazon_pay',
            customerId: record.customerId,
            consentId: record.consentId,
            setupId: record.id,
            setupIntentId: outcome.setupIntentId,
            mandateId: outcome.mandateId,
            savedAt: now,
            detachedAt: null,
          });
        }
      } else if (outcome.status === 'failed') {
        record.setupIntentId = outcome.setupIntentId;
        record.failure = outcome.failure;
      }
      return true;
    });
    customerCanceled.delete(setupId);
    if (changed) env.emit('setup.updated', viewOf(setupId));
  }

  /** The one completion path: one retrieve, then a write only if the outcome changed. */
  async function refreshNow(setupId: string): Promise<void> {
    const record = findSetup(setupId);
    if (record.status !== 'open') return;
    const session = await stripe.checkout.sessions.retrieve(record.checkoutSessionId, { expand: EXPAND_FOR_COMPLETION });
    const outcome = outcomeOf(session);
    if (!outcome) return;
    if (outcome.status === 'failed') {
      // Close the session so the customer cannot still complete it later; the consent stays without a method.
      try {
        await stripe.checkout.sessions.expire(record.checkoutSessionId);
      } catch (error) {
        logger.warn('could not expire a failed setup session; will look again', { setupId, error: String(error) });
        return;
      }
    }
    await finish(setupId, outcome);
    if (outcome.status === 'succeeded') {
      // The setup itself is done; a failure here is retried by the next withdraw, so it must not fail the refresh.
      await hooks.afterMethodSaved?.(record.consentId).catch((error) => logger.warn('after-save step failed', { setupId, error: String(error) }));
    }
  }

  const refreshSetup = (setupId: string) => serialized(setupId, () => refreshNow(setupId));

  // --- polling: only while something is open
  const poller = createPoller({
    intervalMs: pollIntervalOf(env.pollIntervalMs),
    waiting: () => openSetups().map((s) => s.id),
    refresh: refreshSetup,
    onError: (setupId, error) => logger.warn('polling a setup failed', { setupId, error: String(error) }),
  });

  async function openInBrowser(record: SetupRecord): Promise<void> {
    if (!record.url || !isAllowedCheckoutUrl(record.url, env.allowedCheckoutOrigins))
      throw new AppError('url_not_allowed', 'The Checkout page address is not on the allowlist; it was not opened.');
    await env.openExternal(record.url);
    env.emit('external.opened', { url: record.url });
  }

  /** Customers with a setup being started right now: a double click must not create two sessions. */
  const starting = new Set<string>();

  const handlers: Setups['handlers'] = {
    async 'setups.start'({ consentId }, ctx) {
      if (!ctx.actor) throw new AppError('not_signed_in', 'Sign in first.');
      const data = store.data;
      const consent = data.consents.find((c) => c.id === consentId);
      if (!consent) throw new AppError('consent_required', `There is no consent with id ${consentId}: record the customer's consent first.`);
      const status = consentStatus(data, consent, clock.now());
      if (status === 'withdrawn' || status === 'expired')
        throw new AppError('consent_inactive', `The consent is ${status}; record a new consent before saving a payment method.`);
      const customer = data.customers.find((c) => c.id === consent.customerId);
      if (!customer) throw new AppError('not_found', `There is no customer with id ${consent.customerId}.`);
      const alreadyOpen = openSetups(data).find((s) => s.customerId === customer.id);
      if (starting.has(customer.id) || alreadyOpen)
        throw new AppError(
          'conflict',
          `${customer.name} already has an Amazon Pay setup waiting for the customer${alreadyOpen ? ` (${alreadyOpen.id}, started ${alreadyOpen.createdAt})` : ''}. Open it from the customer page to resume, show the link again or cancel it; no new consent is needed.`,
        );

      starting.add(customer.id);
      try {
        const setupId = ids.next('setup');
        const metadata = {
          mandate_desk_consent_id: consent.id,
          mandate_desk_setup_id: setupId,
          mandate_desk_customer_id: customer.id,
        };
        const session = await stripe.checkout.sessions.create(
          {
            mode: 'setup',
            allowed_payment_method_types: ['amazon_pay'],
            customer: customer.stripeCustomerId,
            success_url: withSessionIdPlaceholder(env.returnUrls.success(setupId)),
            cancel_url: env.returnUrls.cancel(setupId),
            locale: customer.language,
            metadata,
            setup_intent_data: {
              metadata,
              description: mainText(consent.language, 'setup.description', { shop: data.settings.shopName, purpose: consent.params.purpose }),
            },
          },
          { idempotencyKey: `setup-${setupId}` },
        );
        if (!session.url || !isAllowedCheckoutUrl(session.url, env.allowedCheckoutOrigins)) {
          await stripe.checkout.sessions.expire(session.id).catch((error) => logger.warn('could not expire a refused session', { sessionId: session.id, error: String(error) }));
          throw new AppError('url_not_allowed', `Stripe returned a Checkout address that is not on the allowlist (${session.url ?? 'none'}); the session was closed.`);
        }

        const record: SetupRecord = {
          id: setupId,
          customerId: customer.id,
          consentId: consent.id,
          checkoutSessionId: session.id,
          url: session.url,
          status: 'open',
          expiresAt: new Date(session.expires_at * 1000).toISOString(),
          createdAt: clock.now().toISOString(),
          createdBy: { staffId: ctx.actor.id, name: ctx.actor.name },
          finishedAt: null,
          setupIntentId: idOf(session.setup_intent),
          paymentMethodId: null,
          mandateId: null,
          failure: null,
        };
        await store.update((draft) => {
          draft.setups.push(record);
        });
        env.emit('setup.updated', setupView(record));
        poller.wake();
        try {
          await openInBrowser(record);
        } catch (error) {
          // The session exists and is recorded; staff can open it again with "reopen".
          logger.warn('could not open the Checkout page', { setupId, error: String(error) });
        }
        return setupView(record);
      } finally {
        starting.delete(customer.id);
      }
    },

    async 'setups.check'({ setupId }) {
      findSetup(setupId);
      await refreshSetup(setupId);
      return viewOf(setupId);
    },

    async 'setups.cancel'({ setupId }) {
      findSetup(setupId);
      return serialized(setupId, async () => {
        const record = findSetup(setupId);
        if (record.status !== 'open') return setupView(record);
        try {
          await stripe.checkout.sessions.expire(record.checkoutSessionId);
        } catch (error) {
          // Stripe refuses to expire a session that is no longer open: report its real state instead.
          if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
          await refreshNow(setupId);
          return viewOf(setupId);
        }
        await finish(setupId, { status: 'canceled' });
        return viewOf(setupId);
      });
    },

    async 'setups.reopen'({ setupId }) {
      const record = findSetup(setupId);
      if (record.status !== 'open') throw new AppError('conflict', `This setup is ${record.status}; only an open setup can be opened again.`);
      await openInBrowser(record);
      // The customer is back on Checkout: the desk waits again.
      if (customerCanceled.delete(setupId)) env.emit('setup.updated', viewOf(setupId));
      return viewOf(setupId);
    },

    async 'setups.listOpen'() {
      return newestFirst(openSetups(), (s) => s.createdAt).map(viewWithReturn);
    },
  };

  return {
    handlers,
    async reconcile() {
      for (const setup of openSetups()) {
        await refreshSetup(setup.id).catch((error) => logger.warn('reconciling a setup failed', { setupId: setup.id, error: String(error) }));
      }
    },
    async completeFromReturn(setupId) {
      findSetup(setupId);
      await refreshSetup(setupId);
    },
    noteCustomerCanceled(setupId) {
      const record = findSetup(setupId);
      if (record.status !== 'open') return;
      customerCanceled.set(setupId, clock.now().toISOString());
      env.emit('setup.updated', viewOf(setupId));
    },
    startPolling: poller.start,
    stopPolling: poller.stop,
  };
}
