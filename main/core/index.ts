/**
 * Builds the whole of core from injected deps: opens the stores, wires every module's handlers
 * into one table, and runs the start-up passes (reconcile open setups, finish pending charges).
 */
import type { AppInfo, EventName, Events, Language, SetupView, StoreNotice } from '../../preload/contract';
import { createDispatcher, type Dispatch, type Handlers, type SessionPort } from './dispatch';
import type { CoreEnv } from './env';
import type { CoreDeps } from './ports';
import { openAuditLog } from './audit';
import { paymentsHandlers } from './payments';
import { createAuth } from './auth';
import { settingsHandlers } from './settings';
import { customerHandlers } from './customers';
import { consentHandlers } from './consents';
import { createSetups } from './setups';
import { createCharges } from './charges';
import { createSubscriptions } from './subscriptions';
import { createWithdrawals } from './withdrawal';
import { trainingHandlers } from './training';
import { openRecords } from './records';
import { migrateLegacyFolder } from './store-migration';
import { consentPdfHandlers } from './consent-pdf';
import { clockHandlers } from './stripe-clock';
import { createStripeShare, type StripeShare } from './stripe-share';
import { chargeChecksAtStripe, importCustomerFromStripe } from './stripe-import';
import { createRebuild } from './stripe-rebuild';
import { createMail } from './mail';
import { createDisputes } from './disputes';
import { createStripeEvents } from './stripe-events';

export type EventListener = <E extends EventName>(event: E, payload: Events[E]) => void;

export interface Core {
  dispatch: Dispatch;
  /** Every event main pushes; returns an unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  /** Called by the loopback return page when the customer's browser comes back. */
  completeFromReturn(setupId: string): Promise<void>;
  /** What the return page shows about a setup: its status and its customer's language. */
  setupForReturn(setupId: string): Promise<{ status: SetupView['status']; checkoutSessionId: string; language: Language } | null>;
  defaultLanguage(): Language;
  /** The shop's name, for the return page's title. */
  shopName(): string;
  /** Called by the return page when the customer canceled on Checkout and the session is still open. */
  noteCustomerCanceled(setupId: string): Promise<void>;
  session: SessionPort;
  env: CoreEnv;
  /** The queued writes to Stripe (evidence, withdrawals): tests run and wait for them. */
  stripeShare: Pick<StripeShare, 'runDue' | 'idle'>;
  /** The "rebuild from Stripe" walk under way, or null (tests wait for it). */
  rebuildRunning(): Promise<void> | null;
  stop(): Promise<void>;
}

export async function createCore(deps: CoreDeps): Promise<Core> {
  const listeners = new Set<EventListener>();
  const emit: EventListener = (event, payload) => {
    for (const listener of listeners) {
      try {
        listener(event, payload);
      } catch (error) {
        deps.logger.error('event listener failed', { event, error: String(error) });
      }
    }
  };

  const now = () => deps.clock.now();
  const migration = await migrateLegacyFolder(deps.dataDir, deps.ids, now);
  if (migration) deps.logger.info('data folder converted from version 0.1', { ...migration });
  const audit = await openAuditLog({ dataDir: deps.dataDir, clock: deps.clock });
  const records = await openRecords({ dataDir: deps.dataDir, ids: deps.ids, now, auditHead: () => audit.head() });
  // The store's journal saw entries up to this seq being written: fewer in the log means some were cut off.
  await audit.checkWitness(records.auditSeqSeen);
  const storeNotices: StoreNotice[] = [...records.notices, ...audit.notices];
  for (const notice of storeNotices) deps.logger.warn('store file could not be read', { ...notice });
  records.onNotice((notice) => {
    storeNotices.push(notice);
    deps.logger.warn('store file could not be read', { ...notice });
    emit('store.notice', notice);
  });
  if (migration)
    await audit.append({
      actor: null,
      action: 'store.migrated',
      outcome: 'ok',
      customerId: null,
      summary: `Data folder converted from version 0.1: ${migration.counts.customers} customers, ${migration.counts.charges ?? 0} charges, ${migration.auditEntries} audit entries; old files kept in ${migration.keptAsideIn}`,
      details: { ...migration },
    });

  const env: CoreEnv = { ...deps, records, audit, emit, storeNotices };
  const auth = createAuth(env);
  const share = createStripeShare(env);
  const withdrawals = createWithdrawals(env, { recorded: (withdrawalId) => share.kick('withdrawalShare', withdrawalId) });
  const setups = createSetups(env, { afterMethodSaved: (consentId) => withdrawals.finishIfWithdrawn(consentId, null) });
  const charges = createCharges(env, chargeChecksAtStripe(env));
  const rebuild = createRebuild(env);
  const subscriptions = createSubscriptions(env);
  // E-mail a consent, charge or refund owes is marked in its own commit and queued after it, in the
  // background (recording never waits for the PDF or the SMTP server): see mail.ts.
  const mailModule = await createMail(env, { receiptOf: (chargeId) => charges.handlers['charges.receipt']({ chargeId }, { actor: null }) });
  const consentCalls = consentHandlers(env, { recorded: (consentId) => share.kick('evidence', consentId) });
  const disputes = createDisputes(env);
  const stripeEvents = await createStripeEvents(env, { disputes, applyInvoice: subscriptions.applyInvoice });

  const appInfo = async (): Promise<AppInfo> => ({
    mode: deps.mode,
    version: deps.appVersion,
    terminalId: records.shop.data.terminalId,
    terminalName: records.shop.data.settings.terminalName,
    shopName: records.shop.data.settings.shopName,
    storeNotices,
    auditChain: audit.verify(),
    transport: deps.transport === 'electron' ? 'electron' : 'browser',
  });

  const handlers: Handlers = {
    'app.info': appInfo,
    ...auth.handlers,
    ...settingsHandlers(env),
    ...customerHandlers(env, {
      importExisting: async (stripeCustomerId) => {
        const { customerId } = await importCustomerFromStripe(env, stripeCustomerId);
        return records.index.customer(customerId)!;
      },
    }),
    ...consentCalls,
    ...rebuild.handlers,
    ...setups.handlers,
    ...charges.handlers,
    ...subscriptions.handlers,
    ...withdrawals.handlers,
    ...audit.handlers,
    ...paymentsHandlers(env),
    ...trainingHandlers(env),
    ...consentPdfHandlers(env),
    ...clockHandlers(env),
    ...mailModule.handlers,
    ...disputes.handlers,
    ...stripeEvents.handlers,
  };
  const dispatch = createDispatcher({ handlers, session: auth.session, audit, logger: deps.logger });

  // Start-up passes: sessions finished while the app was closed, charges interrupted by a crash.
  await setups.reconcile();
  await Promise.all([charges.resolveInterrupted(), subscriptions.resolveInterrupted()]);
  setups.startPolling();
  charges.startPolling();
  // changes made at other desks: Stripe's events, from the last one seen
  stripeEvents.start();
  // writes to Stripe left queued (from the index's open work, no customer scanned): in the background
  void share.runDue().catch((error) => deps.logger.warn('queued Stripe writes failed at start', { error: String(error) }));
  // e-mail owed and not yet in the outbox (a crash right after its record's commit): from the index's open work
  void mailModule.settleOwed().catch((error) => deps.logger.warn('owed e-mail could not be queued at start', { error: String(error) }));
  share.startPolling();
  // the index's shown columns (names as typed, phones…) that the cold start left as bytes: in the background
  let stopping = false;
  void records.index.fillShown(() => stopping);

  let stopped: Promise<void> | null = null;
  return {
    dispatch,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    completeFromReturn: (setupId) => setups.completeFromReturn(setupId),
    async setupForReturn(setupId) {
      const owner = records.index.ownerOf(setupId);
      const doc = owner ? await records.customer(owner) : null;
      const setup = doc?.setups.find((s) => s.id === setupId);
      return doc && setup ? { status: setup.status, checkoutSessionId: setup.checkoutSessionId, language: doc.customer.language } : null;
    },
    defaultLanguage: () => records.shop.data.settings.defaultLanguage,
    shopName: () => records.shop.data.settings.shopName,
    noteCustomerCanceled: (setupId) => setups.noteCustomerCanceled(setupId),
    session: auth.session,
    env,
    stripeShare: share,
    rebuildRunning: () => rebuild.running(),
    stop() {
      // once: the stores' last checkpoint is written by the first stop
      stopping = true;
      stopped ??= (async () => {
        setups.stopPolling();
        charges.stopPolling();
        stripeEvents.stop();
        await stripeEvents.idle();
        share.stopPolling();
        // what is under way finishes writing first (the store closes next)
        await share.idle().catch(() => {});
        await rebuild.running()?.catch(() => {});
        listeners.clear();
        await mailModule.stop();
        await records.close();
        await audit.close();
      })();
      return stopped;
    },
  };
}
