/**
 * Everything from outside that core needs, passed in as arguments (DESIGN §1). Electron, the
 * browser bridge and the tests each provide their own.
 */
import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import type { EventName, Events, Mode } from '../../preload/contract';

export interface Clock { now(): Date }
export interface IdSource { next(prefix: string): string }
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
/** Opens a URL in the system browser (shell.openExternal in Electron). Core checks the allowlist first. */
export type UrlOpener = (url: string) => Promise<void>;

/** The loopback page the customer's browser returns to after Checkout. */
export interface ReturnUrls {
  success(setupId: string): string;
  cancel(setupId: string): string;
}

/**
 * One secret only main keeps (the SMTP password): encrypted with safeStorage in Electron, a private
 * 0600 file in the browser bridge, memory in tests. Never logged, never sent to the renderer.
 */
export interface SecretSlot {
  get(): Promise<string | null>;
  /** null removes it. */
  set(value: string | null): Promise<void>;
}

/** How e-mail is sent: timeouts of one attempt and the outbox's retry schedule (tests shorten them). */
export interface MailTuning {
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  maxAttempts?: number;
}

/** Emulator-only controls, present in training mode. */
export interface TrainingControls { advanceClockSeconds(seconds: number): Promise<Date> }

export interface CoreDeps {
  dataDir: string;
  stripe: Stripe;
  mode: Mode;
  transport: 'electron' | 'browser' | 'in-process';
  appVersion: string;
  clock: Clock;
  ids: IdSource;
  openExternal: UrlOpener;
  /** Origins Checkout URLs may have: https://checkout.stripe.com, or the emulator's origin in training mode. */
  allowedCheckoutOrigins: string[];
  returnUrls: ReturnUrls;
  logger: Logger;
  training?: TrainingControls;
  /** How often open setups are polled; never below 2000 ms. */
  pollIntervalMs?: number;
  /**
   * How long after a consent is recorded its evidence is first sent to Stripe (default 0: at once;
   * the PDF is rendered in a worker thread, pdf-thread.ts, so it no longer holds main). The test
   * helper sets an hour so uploads never write in the middle of a test that does not ask for them.
   */
  shareDelayMs?: number;
  /** Where the SMTP password is kept (default: memory only, for tests). */
  smtpPassword?: SecretSlot;
  mail?: MailTuning;
  /** How often Stripe's events are read for changes made elsewhere (default 20 s; never below 5 s). */
  eventsPollIntervalMs?: number;
  /**
   * Tests only (never set by the app): awaited at named points between two durable steps, so a
   * crash test can kill the process exactly there.
   */
  faultAt?: (point: FaultPoint) => void | Promise<void>;
}

/**
 * - `mail.beforeEnqueue`: a record and the e-mail it owes are committed; the outbox does not hold it.
 * - `mail.beforeSettle`: the outbox holds it; the owed mark is not yet updated.
 * - `outbox.messageWritten`: the message file is on disk; its pending marker is not.
 */
export type FaultPoint = 'mail.beforeEnqueue' | 'mail.beforeSettle' | 'outbox.messageWritten';

export type EventSink = <E extends EventName>(event: E, payload: Events[E]) => void;

export const systemClock: Clock = { now: () => new Date() };

/** Ids like `cust_7f3a…`: a readable prefix and 80 random bits. */
export const randomIds: IdSource = { next: (prefix) => `${prefix}_${randomBytes(10).toString('hex')}` };
