/** Every message a person sees, in their language: the app's error codes and Stripe's codes. */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../preload/contract';
import { en, type MessageKey } from '../../renderer/i18n/en';
import { ja } from '../../renderer/i18n/ja';
import { failureText, isKnownStripeCode, STRIPE_CODES, stripeCodeKey } from '../../renderer/i18n/stripeCodes';
import { translate, translator } from '../../renderer/i18n/translate';

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9faf]/;
/** Names stay as they are in every language. */
const NAMES = new Set<MessageKey>(['app.name', 'method.amazonPay', 'consentDoc.setupIntent', 'firstManager.pin', 'signIn.pin', 'staff.pin']);

describe('Japanese differs from English', () => {
  it('for every message except names', () => {
    const same = (Object.keys(en) as MessageKey[]).filter((key) => !NAMES.has(key) && ja[key] === en[key]);
    expect(same).toEqual([]);
  });
});

describe('the app’s error codes', () => {
  it('each has English and Japanese text, and the Japanese is Japanese', () => {
    for (const code of ERROR_CODES) {
      const key = `error.${code}` as const;
      expect(en[key], code).toBeTruthy();
      expect(ja[key], code).toMatch(JAPANESE);
      expect(ja[key]).not.toBe(en[key]);
    }
  });
});

describe('Stripe’s decline and error codes', () => {
  it('cover the codes the emulator and Stripe send for Amazon Pay, each in both languages', () => {
    for (const code of ['payment_method_provider_decline', 'payment_method_not_available', 'authentication_required', 'card_declined', 'insufficient_funds',
      'expired_payment_method', 'idempotency_key_in_use', 'billing_invalid_mandate', 'payment_intent_mandate_invalid', 'setup_intent_authentication_failure']) {
      expect(isKnownStripeCode(code), code).toBe(true);
    }
    for (const code of STRIPE_CODES) {
      const key = stripeCodeKey(code);
      expect(key).toBe(`stripe.${code}`);
      expect(en[key].length, code).toBeGreaterThan(10);
      expect(ja[key], code).toMatch(JAPANESE);
    }
  });

  it('translate the failure and keep Stripe’s own text as a detail', () => {
    const failure = { code: 'payment_method_provider_decline', message: 'The payment was declined by Amazon Pay.' };
    expect(failureText(translator('ja'), failure)).toEqual({
      message: 'Amazon Pay がこのお支払いを承認しませんでした。',
      original: 'Stripe からの原文: The payment was declined by Amazon Pay.（payment_method_provider_decline）',
    });
    expect(failureText(translator('en'), failure)).toEqual({
      message: 'Amazon Pay declined the payment.',
      original: 'Stripe said: The payment was declined by Amazon Pay. (payment_method_provider_decline)',
    });
  });

  it('say something useful for a code the app does not know, and nothing extra when Stripe gave no text', () => {
    const unknown = failureText(translator('ja'), { code: 'brand_new_code', message: 'Something new happened.' });
    expect(unknown.message).toBe(translate('ja', 'stripe.unknown'));
    expect(unknown.original).toContain('Something new happened.');
    expect(unknown.original).toContain('brand_new_code');
    expect(failureText(translator('en'), { code: 'card_declined', message: '  ' }).original).toBeNull();
  });
});
