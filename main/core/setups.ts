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
import type { Language, SetupView } from '../../preload/contract';
import type { CustomerDoc, SettingsRecord, SetupRecord } from './data';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { mainText } from './i18n';
import { createPoller, pollIntervalOf } from './poller';
import { setupExpiresAt, stripeClockOf } from './stripe-clock';
import { SHARE_KEYS, setupIntentMetadata } from './stripe-share';
import { isAllowedCheckoutUrl } from './urls';
import { consentStatus, newestFirst, setupView } from './views';

export interface Setups {
  handlers: Pick<Handlers, 'setups.start' | 'setups.check' | 'setups.cancel' | 'setups.reopen' | 'setups.listOpen'>;
  /** Start-up pass: refreshes every setup still open in the store once (sessions finished while the app was closed). */
  reconcile(): Promise<void>;
  /** The customer's browser came back to the loopback page; throws `not_found` for an unknown setup. */
  completeFromReturn(setupId: string): Promise<void>;
  /** The customer left Checkout by its cancel link and the session is still open: tell the desk at once. */
  noteCustomerCanceled(setupId: string): Promise<void>;
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
  | { status: 'succeeded'; setupIntentId: string; paymentMethodId: string; mandateId: string | null; billingEmail: string | null; billingName: string | null }
  | { status: 'failed'; setupIntentId: string | null; failure: { code: string; message: string } }
  | { status: 'expired' };

function outcomeOf(session: Stripe.Checkout.Session): Outcome | null {
  const intent = typeof session.setup_intent === 'object' ? session.setup_intent : null;
  if (session.status === 'expired') return { status: 'expired' };
  if (session.status === 'complete') {
    const paymentMethodId = idOf(intent?.payment_method);
    // A complete session whose SetupIntent has not succeeded yet (e.g. processing) is still in flight.
    if (!intent || intent.status !== 'succeeded' || !paymentMethodId) return null;
    // What a person recognises the method by (the wallet's e-mail, a name), when Stripe gives it.
    const method = typeof intent.payment_method === 'object' ? intent.payment_method : null;
    const billing = method?.billing_details;
    return { status: 'succeeded', setupIntentId: intent.id, paymentMethodId, mandateId: idOf(intent.mandate), billingEmail: billing?.email || null, billingName: billing?.name || null };
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

/**
 * Where Checkout sends the customer's browser afterwards. On this computer: the desk's loopback
 * return page. On the customer's phone, which cannot reach the desk's loopback: the shop's own web
 * page when set, else in training mode the emulator's plain "you can close this page" page, else
 * the loopback page after all (the phone then shows an error page, but the desk still notices the
 * outcome by polling; Settings says so).
 */
export function returnUrlsFor(
  env: Pick<CoreEnv, 'mode' | 'returnUrls' | 'allowedCheckoutOrigins'>,
  settings: Pick<SettingsRecord, 'setupFinishOn' | 'shopWebPage'>,
  setupId: string,
  language: Language,
): { success: string; cancel: string } {
  if (settings.setupFinishOn === 'phone') {
    if (settings.shopWebPage) return { success: settings.shopWebPage, cancel: settings.shopWebPage };
    // In training mode the only Checkout origin is the emulator's own.
    const emulatorOrigin = env.mode === 'training' ? env.allowedCheckoutOrigins[0] : undefined;
    if (emulatorOrigin)
      return { success: `${emulatorOrigin}/checkout/done?session_id={CHECKOUT_SESSION_ID}`, cancel: `${emulatorOrigin}/checkout/done?locale=${language}` };
  }
  return { success: withSessionIdPlaceholder(env.returnUrls.success(setupId)), cancel: env.returnUrls.cancel(setupId) };
}

export interface SetupHooks {
  /** Runs after a setup saved a payment method (e.g. to detach it again if the consent was withdrawn meanwhile). */
  afterMethodSaved?(consentId: string): Promise<void>;
}

export function createSetups(env: CoreEnv, hooks: SetupHooks = {}): Setups {
  const { records, stripe, clock, logger } = env;

  const setupIn = (doc: Readonly<CustomerDoc>, setupId: string): SetupRecord => {
    const record = doc.setups.find((s) => s.id === setupId);
    if (!record) throw new AppError('not_found', `There is no setup with id ${setupId}.`);
    return record;
  };
  const findSetup = async (setupId: string): Promise<SetupRecord> => setupIn(await records.ownerDoc(setupId, 'setup'), setupId);
  /** Ids of every open setup, from the index (no customer document is read). */
  const openSetupIds = () => records.index.openWork('setup').map((w) => w.id);
  // Open setups whose customer came back by the cancel link: in memory only (a restart forgets it, the session is unchanged).
  const customerCanceled = new Map<string, string>();
  const viewWithReturn = (record: SetupRecord): SetupView => {
    const at = record.status === 'open' ? customerCanceled.get(record.id) : undefined;
    return at ? { ...setupView(record), customerCanceledAt: at } : setupView(record);
  };
  const viewOf = async (setupId: string): Promise<SetupView> => viewWithReturn(await findSetup(setupId));

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
    // A setup's times are all on Stripe's clock, like its expiry: an expired one never reads as finished before it expired.
    const stripeNow = stripeClockOf(env).now().toISOString();
    const { customer } = await records.ownerDoc(setupId, 'setup');
    const changed = await records.updateCustomer(customer.id, (draft) => {
      const record = draft.setups.find((s) => s.id === setupId);
      if (!record || record.status !== 'open') return false; // never downgrade a finished setup
      const now = outcome.status === 'expired' && record.expiresAt > stripeNow ? record.expiresAt : stripeNow;
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
            billingEmail: outcome.billingEmail,
            billingName: outcome.billingName,
          });
        }
      } else if (outcome.status === 'failed') {
        record.setupIntentId = outcome.setupIntentId;
        record.failure = outcome.failure;
      }
      return true;
    });
    customerCanceled.delete(setupId);
    if (changed) env.emit('setup.updated', await viewOf(setupId));
  }

  /** The one completion path: one retrieve, then a write only if the outcome changed. */
  async function refreshNow(setupId: string): Promise<void> {
    const record = await findSetup(setupId);
    if (record.status !== 'open') return;
    const askedAt = clock.now().getTime();
    const session = await stripe.checkout.sessions.retrieve(record.checkoutSessionId, { expand: EXPAND_FOR_COMPLETION });
    stripeClockOf(env).learnFrom(session, askedAt);
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
    waiting: openSetupIds,
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
      const owner = records.index.ownerOf(consentId);
      const doc = owner ? await records.customer(owner) : null;
      const consent = doc?.consents.find((c) => c.id === consentId);
      if (!doc || !consent) throw new AppError('consent_required', `There is no consent with id ${consentId}: record the customer's consent first.`);
      const status = consentStatus(doc, consent, clock.now());
      if (status === 'withdrawn' || status === 'expired')
        throw new AppError('consent_inactive', `The consent is ${status}; record a new consent before saving a payment method.`);
      const { customer } = doc;
      const alreadyOpen = doc.setups.find((s) => s.status === 'open');
      if (starting.has(customer.id) || alreadyOpen)
        throw new AppError(
          'conflict',
          `${customer.name} already has an Amazon Pay setup waiting for the customer${alreadyOpen ? ` (${alreadyOpen.id}, started ${alreadyOpen.createdAt})` : ''}. Open it from the customer page to resume, show the link again or cancel it; no new consent is needed.`,
        );

      starting.add(customer.id);
      try {
        const setupId = records.newId('setup', customer.id);
        const metadata = {
          mandate_desk_consent_id: consent.id,
          mandate_desk_setup_id: setupId,
          mandate_desk_customer_id: customer.id,
        };
        const { settings } = records.shop.data;
        const returnTo = returnUrlsFor(env, settings, setupId, customer.language);
        // expires_at is checked against Stripe's clock (the emulator's, movable, in training mode).
        const stripeNow = (await stripeClockOf(env).measure()).stripeOffsetMs + clock.now().getTime();
        const session = await stripe.checkout.sessions.create(
          {
            mode: 'setup',
            allowed_payment_method_types: ['amazon_pay'],
            customer: customer.stripeCustomerId,
            success_url: returnTo.success,
            cancel_url: returnTo.cancel,
            expires_at: setupExpiresAt(stripeNow, settings.setupExpiryMinutes),
            locale: customer.language,
            metadata,
            setup_intent_data: {
              // what another desk needs to find, check and charge this consent (stripe-share.ts)
              metadata: setupIntentMetadata(consent, { setupId, evidenceFileId: consent.stripeEvidence?.fileIds[0] ?? null }),
              description: mainText(consent.language, 'setup.description', { shop: settings.shopName, purpose: consent.params.purpose }),
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
          // Stripe's clock, like expiresAt (see finish)
          createdAt: new Date(session.created * 1000).toISOString(),
          createdBy: { staffId: ctx.actor.id, name: ctx.actor.name },
          finishedAt: null,
          setupIntentId: idOf(session.setup_intent),
          paymentMethodId: null,
          mandateId: null,
          failure: null,
        };
        const saved = await records.updateCustomer(customer.id, (draft) => {
          draft.setups.push(record);
          return draft.consents.find((c) => c.id === consent.id)?.stripeEvidence?.fileIds[0] ?? null;
        });
        // the evidence upload finished while the session was being made: its file id goes on the SetupIntent now
        if (saved && !consent.stripeEvidence?.fileIds[0] && record.setupIntentId)
          await stripe.setupIntents
            .update(record.setupIntentId, { metadata: { [SHARE_KEYS.evidenceFile]: saved } })
            .catch((error) => logger.warn("could not add the evidence file to the SetupIntent (the Customer's metadata still names it)", { setupId, error: String(error) }));
        env.emit('setup.updated', setupView(record));
        poller.wake();
        // On the customer's phone, the desk shows a QR code instead; "open on this computer" stays one click away.
        if (settings.setupFinishOn === 'this_computer') {
          try {
            await openInBrowser(record);
          } catch (error) {
            // The session exists and is recorded; staff can open it again with "reopen".
            logger.warn('could not open the Checkout page', { setupId, error: String(error) });
          }
        }
        return setupView(record);
      } finally {
        starting.delete(customer.id);
      }
    },

    async 'setups.check'({ setupId }) {
      await findSetup(setupId);
      await refreshSetup(setupId);
      return viewOf(setupId);
    },

    async 'setups.cancel'({ setupId }) {
      await findSetup(setupId);
      return serialized(setupId, async () => {
        const record = await findSetup(setupId);
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
      const record = await findSetup(setupId);
      if (record.status !== 'open') throw new AppError('conflict', `This setup is ${record.status}; only an open setup can be opened again.`);
      await openInBrowser(record);
      // The customer is back on Checkout: the desk waits again.
      if (customerCanceled.delete(setupId)) env.emit('setup.updated', await viewOf(setupId));
      return viewOf(setupId);
    },

    async 'setups.listOpen'() {
      const open = await Promise.all(openSetupIds().map((id) => findSetup(id)));
      return newestFirst(open, (s) => s.createdAt).map(viewWithReturn);
    },
  };

  return {
    handlers,
    async reconcile() {
      for (const setupId of openSetupIds()) {
        await refreshSetup(setupId).catch((error) => logger.warn('reconciling a setup failed', { setupId, error: String(error) }));
      }
    },
    async completeFromReturn(setupId) {
      await findSetup(setupId);
      await refreshSetup(setupId);
    },
    async noteCustomerCanceled(setupId) {
      try {
        const record = await findSetup(setupId);
        if (record.status !== 'open') return;
        customerCanceled.set(setupId, clock.now().toISOString());
        env.emit('setup.updated', await viewOf(setupId));
      } catch (error) {
        logger.warn('could not note the customer cancel', { setupId, error: String(error) });
      }
    },
    startPolling: poller.start,
    stopPolling: poller.stop,
  };
}
