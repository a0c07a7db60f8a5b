/**
 * Builds the whole of core from injected deps: opens the stores, wires every module's handlers
 * into one table, and runs the start-up passes (reconcile open setups, finish pending charges).
 */
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AppInfo, EventName, Events, StoreNotice } from '../../preload/contract';
import { JsonStore } from '../store/json-store';
import { AppData, appDataMigrations, APP_DATA_VERSION, defaultAppData } from './data';
import { createDispatcher, type Dispatch, type Handlers, type SessionPort } from './dispatch';
import type { CoreEnv } from './env';
import type { CoreDeps } from './ports';
import { openAuditLog } from './audit';
import { createAuth } from './auth';
import { settingsHandlers } from './settings';
import { customerHandlers } from './customers';
import { consentHandlers } from './consents';
import { createSetups } from './setups';
import { createCharges } from './charges';
import { createSubscriptions } from './subscriptions';
import { createWithdrawals } from './withdrawal';
import { trainingHandlers } from './training';

export type EventListener = <E extends EventName>(event: E, payload: Events[E]) => void;

export interface Core {
  dispatch: Dispatch;
  /** Every event main pushes; returns an unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  /** Called by the loopback return page when the customer's browser comes back. */
  completeFromReturn(setupId: string): Promise<void>;
  /** Called by the return page when the customer canceled on Checkout and the session is still open. */
  noteCustomerCanceled(setupId: string): void;
  session: SessionPort;
  env: CoreEnv;
  stop(): Promise<void>;
}

export const APP_DATA_FILE = 'mandate-desk.json';

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

  const store = await JsonStore.open<AppData>({
    path: join(deps.dataDir, APP_DATA_FILE),
    schema: AppData,
    version: APP_DATA_VERSION,
    migrations: appDataMigrations,
    defaults: () => defaultAppData(`term_${randomUUID()}`),
  });
  const audit = await openAuditLog({ dataDir: deps.dataDir, clock: deps.clock });
  const storeNotices: StoreNotice[] = [...store.notices, ...audit.notices];
  for (const notice of storeNotices) deps.logger.warn('store file could not be read', { ...notice });

  const env: CoreEnv = { ...deps, store, audit, emit, storeNotices };
  const auth = createAuth(env);
  const withdrawals = createWithdrawals(env);
  const setups = createSetups(env, { afterMethodSaved: (consentId) => withdrawals.finishIfWithdrawn(consentId, null) });
  const charges = createCharges(env);
  const subscriptions = createSubscriptions(env);

  const appInfo = async (): Promise<AppInfo> => ({
    mode: deps.mode,
    version: deps.appVersion,
    terminalId: store.data.terminalId,
    terminalName: store.data.settings.terminalName,
    shopName: store.data.settings.shopName,
    storeNotices,
    auditChain: audit.verify(),
    transport: deps.transport === 'electron' ? 'electron' : 'browser',
  });

  const handlers: Handlers = {
    'app.info': appInfo,
    ...auth.handlers,
    ...settingsHandlers(env),
    ...customerHandlers(env),
    ...consentHandlers(env),
    ...setups.handlers,
    ...charges.handlers,
    ...subscriptions.handlers,
    ...withdrawals.handlers,
    ...audit.handlers,
    ...trainingHandlers(env),
  };
  const dispatch = createDispatcher({ handlers, session: auth.session, audit, logger: deps.logger });

  // Start-up passes: sessions finished while the app was closed, charges interrupted by a crash.
  await setups.reconcile();
  await Promise.all([charges.resolveInterrupted(), subscriptions.resolveInterrupted()]);
  setups.startPolling();
  charges.startPolling();

  return {
    dispatch,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    completeFromReturn: (setupId) => setups.completeFromReturn(setupId),
    noteCustomerCanceled: (setupId) => setups.noteCustomerCanceled(setupId),
    session: auth.session,
    env,
    async stop() {
      setups.stopPolling();
      charges.stopPolling();
      listeners.clear();
    },
  };
}
