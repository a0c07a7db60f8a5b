/** A small state-based router: screens are values, not URLs (the app has one window and no address bar). */
import { createContext, useContext } from 'react';
import type { SetupView } from '../preload/contract';

export type Route =
  | { name: 'customers'; query?: string }
  | { name: 'newCustomer'; prefill?: string }
  | { name: 'customer'; customerId: string; notice?: 'created' | 'linkedExisting' | 'imported' }
  /** `notice`: the customer was just created (the counter goes straight on to saving Amazon Pay). */
  | { name: 'mandate'; customerId: string; notice?: 'created' | 'linkedExisting' }
  /** `alreadyOpen`: staff asked to save Amazon Pay again while this setup was still open. */
  | { name: 'setup'; customerId: string; setup: SetupView; notice?: 'alreadyOpen' }
  | { name: 'consent'; consentId: string }
  | { name: 'receipt'; chargeId: string }
  | { name: 'staff' }
  | { name: 'settings' }
  | { name: 'audit' }
  | { name: 'payments' }
  | { name: 'outbox' };

export interface Router {
  route: Route;
  navigate(route: Route): void;
}

export const RouterContext = createContext<Router | null>(null);

export function useRouter(): Router {
  const router = useContext(RouterContext);
  if (!router) throw new Error('useRouter outside RouterContext');
  return router;
}
