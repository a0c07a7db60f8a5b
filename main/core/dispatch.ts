/**
 * The one function every call passes through, whatever the transport (DESIGN §2): channel known,
 * input parsed by the contract's schema, role checked against the signed-in staff member, handler
 * run, result wrapped as `{ ok, data | error }`, and an audit entry for every change and refusal.
 * The sender check is the transport's (it knows what a sender is) and happens before this.
 */
import Stripe from 'stripe';
import { calls, isChannel, type CallOutput, type Channel, type ParsedInput, type Result, type StaffView } from '../../preload/contract';
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

const REDACTED_FIELDS = new Set(['pin']);
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

function customerIdOf(input: unknown, output: unknown): string | null {
  for (const candidate of [input, output]) {
    if (candidate && typeof candidate === 'object') {
      const c = candidate as { customerId?: unknown; customer?: { id?: unknown } };
      if (typeof c.customerId === 'string') return c.customerId;
      if (c.customer && typeof c.customer.id === 'string') return c.customer.id;
    }
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

export function toCallError(error: unknown, logger: Logger, channel: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof Stripe.errors.StripeConnectionError)
    return new AppError('stripe_unreachable', 'Stripe could not be reached. Nothing was lost; try again when the connection is back.');
  if (error instanceof Stripe.errors.StripeError)
    return new AppError('stripe_error', error.message, error.code ? { stripeCode: error.code } : {});
  logger.error('call failed', { channel, error: error instanceof Error ? error.stack ?? error.message : String(error) });
  return new AppError('internal', 'Something went wrong inside the app. It has been logged; nothing was changed by this call.');
}

export function createDispatcher(deps: { handlers: Handlers; session: SessionPort; audit: AuditPort; logger: Logger }): Dispatch {
  const { handlers, session, audit, logger } = deps;

  const refuse = async (error: AppError, action: string, actor: StaffView | null, input: unknown): Promise<Result<unknown>> => {
    await audit.append({
      actor,
      action,
      outcome: 'refused',
      customerId: customerIdOf(input, null),
      summary: `${action} refused: ${error.code}`,
      details: { code: error.code, message: error.message, input: redactForAudit(input) },
    });
    return { ok: false, error: error.toCallError() };
  };

  return async function dispatch(channel, rawInput) {
    const actor = session.current();
    if (!isChannel(channel)) {
      return refuse(new AppError('unknown_channel', `There is no call named ${JSON.stringify(String(channel)).slice(0, 80)}.`), 'unknown', actor, rawInput);
    }
    const spec = calls[channel];
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) fields[issue.path.join('.') || '(input)'] ??= issue.message;
      const message = Object.entries(fields).map(([field, text]) => `${field}: ${text}`).join('; ');
      return refuse(new AppError('invalid_input', message, { fields }), channel, actor, rawInput);
    }
    if (spec.role !== 'public') {
      if (!actor) return refuse(new AppError('not_signed_in', 'Sign in first.'), channel, null, rawInput);
      if (spec.role === 'manager' && actor.role !== 'manager')
        return refuse(new AppError('forbidden_role', 'Only a manager may do this.'), channel, actor, rawInput);
      session.touch();
    }
    const handler = handlers[channel] as Handler<Channel>;
    try {
      const data = await handler(parsed.data as never, { actor });
      if (spec.mutates) {
        // auth calls change who is signed in: record who it is after the call
        const after = channel.startsWith('auth.') ? session.current() ?? actor : actor;
        await audit.append({
          actor: after,
          action: channel,
          outcome: 'ok',
          customerId: customerIdOf(parsed.data, data),
          summary: channel,
          details: { input: redactForAudit(parsed.data), result: outputIds(data) },
        });
      }
      return { ok: true, data };
    } catch (thrown) {
      const error = toCallError(thrown, logger, channel);
      if (spec.mutates || error.code === 'bad_credentials' || error.code === 'locked_out') {
        await audit
          .append({
            actor,
            action: channel,
            outcome: 'error',
            customerId: customerIdOf(parsed.data, null),
            summary: `${channel} failed: ${error.code}`,
            details: { code: error.code, message: error.message, input: redactForAudit(parsed.data) },
          })
          .catch((auditError) => logger.error('audit append failed', { error: String(auditError) }));
      }
      return { ok: false, error: error.toCallError() };
    }
  };
}
