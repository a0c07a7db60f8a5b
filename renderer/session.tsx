/** What every screen may need to know about the app and who is signed in. */
import { createContext, useContext } from 'react';
import type { AppInfo, AuthStatus, StaffView } from '../preload/contract';

export interface Session {
  info: AppInfo;
  auth: AuthStatus;
  staff: StaffView;
  isManager: boolean;
  /** The last URL main asked the system browser to open (mirrored by the browser bridge). */
  lastExternalUrl: string | null;
  refreshInfo(): Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionContext');
  return session;
}
