/**
 * Stripe's decline and error codes (and the few the app records in their place) in the person's
 * language. Stripe's own English text stays available as a secondary detail: it is what Stripe
 * support and the Dashboard show, so staff can quote it.
 */
import type { MessageKey } from './en';
import type { Translate } from './translate';

/** Codes with a message of their own (`stripe.<code>`); any other code gets `stripe.unknown`. */
export const STRIPE_CODES = [
  'payment_method_provider_decline',
  'payment_method_not_available',
  'authentication_required',
  'card_declined',
  'insufficient_funds',
  'expired_card',
  'expired_payment_method',
  'expired_or_canceled_card',
  'lost_or_stolen_card',
  'declined',
  'merchant_request',
  'idempotency_key_in_use',
  'idempotency_error',
  'billing_invalid_mandate',
  'payment_intent_mandate_invalid',
  'setup_intent_authentication_failure',
  'payment_intent_authentication_failure',
  'setup_failed',
  'payment_method_unexpected_state',
  'payment_intent_unexpected_state',
  'charge_already_refunded',
  'charge_not_refundable',
  'amount_too_large',
  'amount_too_small',
  'resource_missing',
  'rate_limit',
  'api_key_expired',
  'authentication_error',
  'processing_error',
  'api_error',
  'outcome_unknown',
  'canceled',
] as const;
export type KnownStripeCode = (typeof STRIPE_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(STRIPE_CODES);

export function isKnownStripeCode(code: string): code is KnownStripeCode {
  return KNOWN.has(code);
}

/** The message key for a Stripe code (`stripe.unknown` for codes the app has no words for). */
export function stripeCodeKey(code: string): MessageKey {
  return isKnownStripeCode(code) ? `stripe.${code}` : 'stripe.unknown';
}

export interface FailureText {
  /** What happened, in the reader's language. */
  message: string;
  /** Stripe's original text and code, for reference; null when Stripe gave no text. */
  original: string | null;
}

/** A recorded failure (`{ code, message }` from Stripe) as words for the reader. */
export function failureText(t: Translate, failure: { code: string; message: string }): FailureText {
  const message = t(stripeCodeKey(failure.code));
  const original = failure.message.trim() ? t('stripe.original', { message: failure.message.trim(), code: failure.code }) : null;
  return { message, original };
}
