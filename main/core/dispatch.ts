/**
 * The one function every call passes through, whatever the transport (DESIGN §2): channel known,
 * input parsed by the contract's schema, role checked against the signed-in staff member, handler
 * run, result wrapped as `{ ok, data | error }`, and an audit entry for every change and refusal.
 * The sender check is the transport's (it knows what a sender is) and happens before this.
 * Whatever the input, `dispatch` answers `{ ok: false, error }` rather than throwing.
 */
import Stripe from 'stripe';
import type { z } from 'zod';
import { calls, isChannel, type CallOutput, type Channel, type ChargeView, type ErrorCode, type ParsedInput, type Result, type StaffView } from '../../preload/contract';
import { AUDIT_ID_MAX_CHARS, cutText, digestPayload } from './audit-bounds';
import { createAuditWriter } from './audit-writer';
import { AppError } from './errors';
import type { Logger } from './ports';

export interface CallContext {
  /** The signed-in staff member, or null for public calls made while signed out. */
  actor: StaffView | null;
}
export type Handler<C extends Channel> = (input: ParsedInput<C>, ctx: CallContext) => Promise<CallOutput<C>>;
export type Handlers = { [C in Channel]: Handler<C> };

export interface SessionPort {
  /** The signed-in staff member; null when signed out or locked by idleness. */
  current(): StaffView | null;
  /** Records activity (postpones the idle lock). */
  touch(): void;
}
export interface AuditDraft {
  actor: StaffView | null;
  action: string;
  outcome: 'ok' | 'refused' | 'error';
  customerId: string | null;
  summary: string;
  details: Record<string, unknown>;
}
export interface AuditPort { append(entry: AuditDraft): Promise<void> }

export type Dispatch = (channel: unknown, rawInput: unknown) => Promise<Result<unknown>>;

const REDACTED_FIELDS = new Set(['pin', 'password']);
const SUMMARISED_FIELDS = new Set(['signaturePng']);
/** A forged input's huge string is cut, so a refusal cannot bloat the audit file. */
const MAX_AUDIT_STRING = 1_000;

/** What an audit entry keeps of an input: never a PIN, never a whole signature image. */
export function redactForAudit(value: unknown): unknown {
  if (typeof value === 'string' && value.length > MAX_AUDIT_STRING) return `${value.slice(0, MAX_AUDIT_STRING)}… [${value.length} characters]`;
  if (Array.isArray(value)) return value.map(redactForAudit);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, v]) => [
        key,
        REDACTED_FIELDS.has(key) ? '[redacted]' : SUMMARISED_FIELDS.has(key) ? (v ? '[signature drawn]' : null) : redactForAudit(v),
      ]),
    );
  }
  return value;
}

/** An id picked from a call's input or output, only when it is a string (bounded later). */
function customerIdOf(input: unknown, output: unknown): string | null {
  try {
    for (const candidate of [input, output]) {
      if (candidate && typeof candidate === 'object') {
        const c = candidate as { customerId?: unknown; customer?: { id?: unknown } };
        if (typeof c.customerId === 'string') return c.customerId;
        if (c.customer && typeof c.customer === 'object' && typeof c.customer.id === 'string') return c.customer.id;
      }
    }
  } catch {
    // a getter that throws (in-process callers only): no id to record
  }
  return null;
}

function outputIds(output: unknown): Record<string, unknown> {
  if (!output || typeof output !== 'object' || Array.isArray(output)) return {};
  const picked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(output as Record<string, unknown>)) {
    if ((key === 'id' || key.endsWith('Id') || key === 'status') && (typeof value === 'string' || value === null)) picked[key] = value;
  }
  return picked;
}

/** What a payment ended as, for the audit (the call can succeed while the payment is declined). */
export type PaymentOutcome = 'succeeded' | 'processing' | 'declined' | 'unavailable' | 'action_required' | 'failed' | 'unknown';
const PAYMENT_CHANNELS: ReadonlySet<Channel> = new Set(['charges.create', 'charges.resolve']);

function paymentOutcome(charge: ChargeView): PaymentOutcome {
  return charge.status === 'pending' ? 'unknown' : charge.status;
}

/** The audit entry of a call that ran: for a charge, its payment's outcome, amount and currency. */
function changeEntry(channel: Channel, actor: StaffView | null, input: unknown, data: unknown): AuditDraft {
  const base = { actor, action: channel, customerId: customerIdOf(input, data) };
  const details = { input: redactForAudit(input), result: outputIds(data) };
  if (PAYMENT_CHANNELS.has(channel) && data && typeof data === 'object') {
    const charge = data as ChargeView;
    const outcome = paymentOutcome(charge);
    return {
      ...base,
      outcome: outcome === 'succeeded' || outcome === 'processing' ? 'ok' : 'error',
      summary: `${channel}: ${outcome}`,
      details: { ...details, paymentOutcome: outcome, amount: charge.amount, currency: charge.currency, failureCode: charge.failure?.code ?? null },
    };
  }
  return { ...base, outcome: 'ok', summary: channel, details };
}

const mutates = (channel: string): boolean => isChannel(channel) && calls[channel].mutates;

export function toCallError(error: unknown, logger: Logger, channel: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof Stripe.errors.StripeConnectionError)
    return new AppError('stripe_unreachable', 'Stripe could not be reached. Nothing was lost; try again when the connection is back.');
  if (error instanceof Stripe.errors.StripeError)
    return new AppError('stripe_error', error.message, { stripeMessage: error.message, ...(error.code ? { stripeCode: error.code } : {}) });
  logger.error('call failed', { channel, error: error instanceof Error ? error.stack ?? error.message : String(error) });
  // only a call that changes nothing is known to have changed nothing
  return mutates(channel)
    ? new AppError('internal', 'Something went wrong inside the app. It has been logged. The change may have been made in part: check before trying again.')
    : new AppError('internal', 'Something went wrong inside the app. It has been logged; this call changes nothing.');
}

/** Codes a handler throws before it has changed anything. */
const REFUSED_BY_HANDLER: ReadonlySet<ErrorCode> = new Set(['too_many_attempts']);

/** Channels are cut to this length wherever they are quoted or recorded. */
export const CHANNEL_MAX_CHARS = 80;
/** A refusal records at most this many offending input paths, each cut to `PATH_MAX_CHARS`. */
export const MAX_REFUSAL_PATHS = 8;
const PATH_MAX_CHARS = 120;
/** An invalid_input answer names at most this many fields, each message cut to `FIELD_MESSAGE_MAX_CHARS`. */
const MAX_FIELDS = 20;
const FIELD_MESSAGE_MAX_CHARS = 200;

/** The channel as text that is safe to quote: a string cut to length, else its type. */
function channelLabel(channel: unknown): string {
  return typeof channel === 'string' ? cutText(channel, CHANNEL_MAX_CHARS) : `[${channel === null ? 'null' : typeof channel}]`;
}

function issuePath(path: readonly PropertyKey[]): string {
  return cutText(path.map((key) => String(key)).join('.') || '(input)', PATH_MAX_CHARS);
}

/** zod's issues as bounded field → message pairs and offending paths. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): { fields: Record<string, string>; paths: string[] } {
  const fields: Record<string, string> = {};
  const paths: string[] = [];
  for (const issue of issues) {
    const path = issuePath(issue.path);
    if (Object.keys(fields).length < MAX_FIELDS && !Object.hasOwn(fields, path))
      Object.defineProperty(fields, path, { value: cutText(issue.message, FIELD_MESSAGE_MAX_CHARS), enumerable: true, writable: true, configurable: true });
    const offending = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => issuePath([...issue.path, key])) : [path];
    for (const p of offending) if (paths.length < MAX_REFUSAL_PATHS && !paths.includes(p)) paths.push(p);
  }
  return { fields, paths };
}

export function createDispatcher(deps: { handlers: Handlers; session: SessionPort; audit: AuditPort; logger: Logger }): Dispatch {
  const { handlers, session, logger } = deps;
  const writer = createAuditWriter(deps.audit, logger);

  /** Refusals record what was refused and a digest of the payload, never the payload itself. */
  const refuse = async (error: AppError, channel: unknown, actor: StaffView | null, rawInput: unknown, paths: string[] = []): Promise<Result<unknown>> => {
    const customerId = customerIdOf(rawInput, null);
    await writer.refusal({
      actor,
      action: isChannel(channel) ? channel : 'unknown',
      customerId: customerId === null ? null : cutText(customerId, AUDIT_ID_MAX_CHARS),
      code: error.code,
      details: { channel: channelLabel(channel), message: cutText(error.message, FIELD_MESSAGE_MAX_CHARS), paths, payload: digestPayload(rawInput) },
    });
    return { ok: false, error: error.toCallError() };
  };

  const unaudited = (channel: Channel, data: unknown): AppError => {
    const ids = Object.entries(outputIds(data))
      .map(([key, value]) => `${key} ${String(value)}`)
      .join(', ');
    return new AppError(
      'audit_unavailable',
      `${channel} WAS carried out${ids ? ` (${cutText(ids, 300)})` : ''}, but the audit log could not record it. Do not repeat it. The app takes no further changes until the audit log can be written again.`,
    );
  };

  return async function dispatch(channel, rawInput) {
    const actor = session.current();
    if (!isChannel(channel)) {
      const label = channelLabel(channel);
      return refuse(new AppError('unknown_channel', `There is no call named ${JSON.stringify(label)}.`), channel, actor, rawInput);
    }
    const spec = calls[channel];
    let parsed: ReturnType<typeof spec.input.safeParse>;
    try {
      parsed = spec.input.safeParse(rawInput ?? {});
    } catch {
      // in-process only (IPC and the bridge carry plain data): a getter that throws, a proxy
      return refuse(new AppError('invalid_input', 'The input could not be read.'), channel, actor, null);
    }
    if (!parsed.success) {
      const { fields, paths } = describeIssues(parsed.error.issues);
      const message = Object.entries(fields)
        .map(([field, text]) => `${field}: ${text}`)
        .join('; ');
      return refuse(new AppError('invalid_input', message, { fields }), channel, actor, rawInput, paths);
    }
    if (spec.role !== 'public') {
      if (!actor) return refuse(new AppError('not_signed_in', 'Sign in first.'), channel, null, rawInput);
      if (spec.role === 'manager' && actor.role !== 'manager')
        return refuse(new AppError('forbidden_role', 'Only a manager may do this.'), channel, actor, rawInput);
      session.touch();
    }
    // No change without its audit entry: while the log cannot be written, changes wait (signing
    // out, which only takes rights away, still works and is recorded once the log is back).
    if (spec.mutates && channel !== 'auth.signOut' && !writer.available && !(await writer.recover())) {
      return refuse(
        new AppError('changes_paused', 'The audit log cannot be written, so the app takes no changes until it can. Nothing was changed by this call. Check the disk and the data folder, then try again.'),
        channel,
        actor,
        rawInput,
      );
    }
    const handler = handlers[channel] as Handler<Channel>;
    try {
      const data = await handler(parsed.data as never, { actor });
      if (spec.mutates) {
        // auth calls change who is signed in: record who it is after the call
        const after = channel.startsWith('auth.') ? session.current() ?? actor : actor;
        if (!(await writer.change(changeEntry(channel, after, parsed.data, data)))) return { ok: false, error: unaudited(channel, data).toCallError() };
      }
      return { ok: true, data };
    } catch (thrown) {
      const error = toCallError(thrown, logger, channel);
      // refused before doing anything: written as a refusal (a flood costs a few entries)
      if (REFUSED_BY_HANDLER.has(error.code)) return refuse(error, channel, actor, rawInput);
      if (spec.mutates || error.code === 'bad_credentials' || error.code === 'locked_out') {
        // the call's own error already says what happened; a lost entry stops further changes
        await writer.change({
          actor,
          action: channel,
          outcome: 'error',
          customerId: customerIdOf(parsed.data, null),
          summary: `${channel} failed: ${error.code}`,
          details: { code: error.code, message: error.message, input: redactForAudit(parsed.data) },
        });
      }
      return { ok: false, error: error.toCallError() };
    }
  };
}
