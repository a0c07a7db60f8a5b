/**
 * The shell: loads app info and who is signed in, follows auth/notice/external-open events,
 * locks after idleness, and shows first-start, sign-in or the signed-in screens.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppInfo, AuthStatus, StoreNotice } from '../preload/contract';
import { call, onSignedOut, useApiEvent } from './api';
import { ErrorAlert, NotLoaded } from './components/ErrorAlert';
import { Header } from './components/Header';
import { StoreNotices } from './components/StoreNotices';
import { useT } from './i18n/I18nProvider';
import { useIdleLock } from './lib/hooks';
import { RouterContext, type Route } from './router';
import { SessionContext, type Session } from './session';
import { AuditScreen } from './screens/AuditScreen';
import { PaymentsScreen } from './screens/PaymentsScreen';
import { OutboxScreen } from './screens/OutboxScreen';
import { ConsentScreen } from './screens/ConsentScreen';
import { CustomerScreen } from './screens/CustomerScreen';
import { CustomersScreen } from './screens/CustomersScreen';
import { FirstManagerScreen } from './screens/FirstManagerScreen';
import { MandateScreen } from './screens/MandateScreen';
import { NewCustomerScreen } from './screens/NewCustomerScreen';
import { ReceiptScreen } from './screens/ReceiptScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { SetupScreen } from './screens/SetupScreen';
import { SignInScreen } from './screens/SignInScreen';
import { StaffScreen } from './screens/StaffScreen';
import type { CallError } from '../preload/contract';

const MANAGER_ROUTES: ReadonlySet<Route['name']> = new Set(['staff', 'settings', 'audit', 'payments', 'outbox']);

export function App() {
  const t = useT();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [auth, setAuth] = useState<AuthStatus | null>(null);
  const [loadError, setLoadError] = useState<CallError | null>(null);
  const [liveNotices, setLiveNotices] = useState<StoreNotice[]>([]);
  const [lastExternalUrl, setLastExternalUrl] = useState<string | null>(null);
  const [route, setRoute] = useState<Route>({ name: 'customers' });
  const [signedOutReason, setSignedOutReason] = useState<'idle' | 'elsewhere' | null>(null);

  const refreshInfo = useCallback(async () => {
    const result = await call('app.info', {});
    if (result.ok) setInfo(result.data);
    else setLoadError(result.error);
  }, []);

  const lastStaffId = useRef<string | null>(null);
  /** Set while this window signs out by itself (null: the person chose to; 'idle': the idle lock). */
  const ownSignOut = useRef<'idle' | null | undefined>(undefined);
  /** Every change of who is signed in passes here: a new session starts on the customer list. */
  const applyAuth = useCallback(
    (status: AuthStatus) => {
      const nextId = status.staff?.id ?? null;
      if (nextId !== lastStaffId.current) {
        const wasSignedIn = lastStaffId.current !== null;
        lastStaffId.current = nextId;
        setRoute({ name: 'customers' });
        if (nextId) {
          setSignedOutReason(null);
          void refreshInfo();
        } else if (wasSignedIn) setSignedOutReason(ownSignOut.current === undefined ? 'elsewhere' : ownSignOut.current);
      }
      setAuth(status);
    },
    [refreshInfo],
  );
  const refreshAuth = useCallback(async () => {
    const result = await call('auth.status', {});
    if (result.ok) applyAuth(result.data);
    else setLoadError(result.error);
  }, [applyAuth]);

  // First load: what app this is, and whether someone is already signed in.
  useEffect(() => {
    void Promise.all([call('app.info', {}), call('auth.status', {})]).then(([infoResult, authResult]) => {
      if (infoResult.ok) setInfo(infoResult.data);
      if (authResult.ok) applyAuth(authResult.data);
      const failed = !infoResult.ok ? infoResult.error : !authResult.ok ? authResult.error : null;
      if (failed) setLoadError(failed);
    });
  }, [applyAuth]);
  useEffect(() => onSignedOut(() => void refreshAuth()), [refreshAuth]);

  useApiEvent('auth.changed', applyAuth);
  useApiEvent('store.notice', (notice) => setLiveNotices((list) => [...list, notice]));
  useApiEvent('external.opened', ({ url }) => setLastExternalUrl(url));

  const staff = auth?.staff ?? null;

  const signOut = useCallback(
    async (reason: 'idle' | null) => {
      ownSignOut.current = reason;
      const result = await call('auth.signOut', {});
      applyAuth(result.ok ? result.data : { staff: null, needsFirstManager: false, idleLockMinutes: auth?.idleLockMinutes ?? 0 });
      ownSignOut.current = undefined;
    },
    [applyAuth, auth?.idleLockMinutes],
  );
  useIdleLock(staff !== null, auth?.idleLockMinutes ?? 0, () => void signOut('idle'));

  const notices = useMemo(() => {
    const all = [...(info?.storeNotices ?? []), ...liveNotices];
    return all.filter((n, i) => all.findIndex((m) => m.file === n.file && m.at === n.at) === i);
  }, [info, liveNotices]);

  const router = useMemo(() => ({ route, navigate: (next: Route) => setRoute(next) }), [route]);
  const session: Session | null = useMemo(
    () => (info && auth && staff ? { info, auth, staff, isManager: staff.role === 'manager', lastExternalUrl, refreshInfo } : null),
    [info, auth, staff, lastExternalUrl, refreshInfo],
  );

  let body: React.ReactNode;
  if (!info || !auth) body = <NotLoaded error={loadError} />;
  else if (auth.needsFirstManager) body = <FirstManagerScreen onDone={applyAuth} />;
  else if (!session) body = <SignInScreen onSignedIn={applyAuth} reason={signedOutReason} idleMinutes={auth.idleLockMinutes} />;
  else body = <Screen route={route} isManager={session.isManager} />;

  return (
    <RouterContext.Provider value={router}>
      <SessionContext.Provider value={session}>
        <a className="skip-link no-print" href="#main">
          {t('common.skipToContent')}
        </a>
        <Header
          info={info}
          staff={staff}
          current={route.name}
          onNavigate={(target) => setRoute({ name: target } as Route)}
          onSignOut={() => void signOut(null)}
        />
        <StoreNotices notices={notices} auditChain={info?.auditChain ?? null} />
        <main id="main" className="app-main">
          {body}
        </main>
      </SessionContext.Provider>
    </RouterContext.Provider>
  );
}

function Screen({ route, isManager }: { route: Route; isManager: boolean }) {
  const t = useT();
  if (MANAGER_ROUTES.has(route.name) && !isManager) return <ErrorAlert error={{ code: 'forbidden_role', message: '' }} context={t(`nav.${route.name as 'staff'}`)} />;
  switch (route.name) {
    case 'customers':
      return <CustomersScreen initialQuery={route.query ?? ''} />;
    case 'newCustomer':
      return <NewCustomerScreen prefill={route.prefill ?? ''} />;
    case 'customer':
      return <CustomerScreen key={route.customerId} customerId={route.customerId} notice={route.notice} />;
    case 'mandate':
      return <MandateScreen key={route.customerId} customerId={route.customerId} notice={route.notice} />;
    case 'setup':
      return <SetupScreen key={route.setup.id} customerId={route.customerId} initial={route.setup} notice={route.notice} />;
    case 'consent':
      return <ConsentScreen key={route.consentId} consentId={route.consentId} />;
    case 'receipt':
      return <ReceiptScreen key={route.chargeId} chargeId={route.chargeId} />;
    case 'staff':
      return <StaffScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'audit':
      return <AuditScreen />;
    case 'payments':
      return <PaymentsScreen />;
    case 'outbox':
      return <OutboxScreen />;
  }
}
