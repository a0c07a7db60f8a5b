/** The one place the Stripe client is configured (DESIGN §4). */
import Stripe from 'stripe';

export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

export interface StripeTarget {
  key: string;
  /** Set in training mode: the local emulator. */
  emulator?: { host: string; port: number };
  appVersion?: string;
}

export function createStripeClient(target: StripeTarget): Stripe {
  return new Stripe(target.key, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 2,
    timeout: target.emulator ? 10_000 : 30_000,
    appInfo: { name: 'Mandate Desk', version: target.appVersion ?? '0.0.0' },
    telemetry: false,
    ...(target.emulator ? { host: target.emulator.host, port: target.emulator.port, protocol: 'http' as const } : {}),
  });
}

/** What mode a key puts the app in; null when the key is not a Stripe secret or restricted key. */
export function modeForKey(key: string): 'test' | 'live' | null {
  if (/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key)) return 'test';
  if (/^(sk|rk)_live_[A-Za-z0-9_]+$/.test(key)) return 'live';
  return null;
}
