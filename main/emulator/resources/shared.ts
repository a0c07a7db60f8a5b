/** Stripe's rules that several resources check: addresses, currencies, payment method types, amounts, URLs. */
import type { Ctx } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { randomString } from '../engine/ids.js';
import { S, type Props, type TreeObj } from '../engine/params.js';
import type { Obj } from '../engine/store.js';

export const ADDRESS_PROPS: Props = {
  city: S.str(),
  country: S.str(),
  line1: S.str(),
  line2: S.str(),
  postal_code: S.str(),
  state: S.str(),
};

const PAYMENT_METHOD_TYPES = [
  'acss_debit', 'affirm', 'afterpay_clearpay', 'alipay', 'alma', 'amazon_pay', 'au_becs_debit', 'bacs_debit', 'bancontact',
  'billie', 'blik', 'boleto', 'card', 'cashapp', 'crypto', 'customer_balance', 'eps', 'fpx', 'giropay', 'grabpay', 'ideal',
  'kakao_pay', 'klarna', 'konbini', 'kr_card', 'link', 'mb_way', 'mobilepay', 'multibanco', 'naver_pay', 'nz_bank_account',
  'oxxo', 'p24', 'pay_by_bank', 'payco', 'paynow', 'paypal', 'paypay', 'payto', 'pix', 'promptpay', 'revolut_pay',
  'samsung_pay', 'satispay', 'sepa_debit', 'sofort', 'swish', 'twint', 'upi', 'us_bank_account', 'wechat_pay', 'zip',
] as const;

/** Amazon Pay presentment currencies (NOTES). */
const AMAZON_PAY_CURRENCIES = ['usd', 'aud', 'gbp', 'dkk', 'eur', 'hkd', 'jpy', 'nzd', 'nok', 'zar', 'sek', 'chf'];

export const CURRENCIES = new Set([
  ...AMAZON_PAY_CURRENCIES, 'cad', 'sgd', 'mxn', 'brl', 'pln', 'czk', 'huf', 'ron', 'bgn', 'inr', 'krw', 'thb', 'myr', 'php', 'idr', 'aed', 'ils', 'try', 'twd', 'cny',
]);

export function fullAddress(a: Obj | null | undefined) {
  if (!a) return null;
  return {
    city: a.city ?? null,
    country: a.country ?? null,
    line1: a.line1 ?? null,
    line2: a.line2 ?? null,
    postal_code: a.postal_code ?? null,
    state: a.state ?? null,
  };
}

export function emptyAddress() {
  return { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
}

export function checkCurrency(c: string, param = 'currency'): string {
  const lc = c.toLowerCase();
  if (!/^[a-z]{3}$/.test(lc) || !CURRENCIES.has(lc)) {
    throw invalid(`Invalid currency: ${c}. Stripe currently supports these currencies: ${[...CURRENCIES].join(', ')}`, { param });
  }
  return lc;
}

export function checkUrl(u: string, param: string): string {
  let ok: boolean;
  try {
    const parsed = new URL(u.replace(/\{CHECKOUT_SESSION_ID\}/g, 'x'));
    ok = parsed.protocol === 'http:' || parsed.protocol === 'https:' || parsed.protocol.length > 2;
  } catch {
    ok = false;
  }
  if (!ok) throw invalid('Not a valid URL', { code: 'url_invalid', param });
  return u;
}

/**
 * The request's params with `payment_method_types` handled by API version: rejected on endive,
 * mapped to `allowed_payment_method_types` before (on a copy; the request's own params stay as sent).
 */
export function handlePaymentMethodTypes(ctx: Ctx): TreeObj {
  if (!('payment_method_types' in ctx.tree)) return ctx.tree;
  if (isEndiveOrLater(ctx.apiVersion)) {
    throw invalid(
      `The \`payment_method_types\` parameter is no longer supported on API version ${ctx.apiVersion}. Use \`allowed_payment_method_types\` to filter the payment methods you want to offer, or configure payment methods in the Dashboard.`,
      { code: 'payment_method_types_no_longer_supported', param: 'payment_method_types' },
    );
  }
  const tree = { ...ctx.tree };
  if (!('allowed_payment_method_types' in tree)) tree.allowed_payment_method_types = tree.payment_method_types;
  delete tree.payment_method_types;
  return tree;
}

export function checkPmTypes(list: string[] | null | undefined, param: string): string[] | null {
  if (!list) return null;
  list.forEach((t, i) => {
    if (!(PAYMENT_METHOD_TYPES as readonly string[]).includes(t)) {
      throw invalid(`Invalid ${param}[${i}]: must be one of ${PAYMENT_METHOD_TYPES.join(', ')}`, { param: `${param}[${i}]` });
    }
  });
  if (list.length === 0) throw invalid(`Invalid ${param}: must contain at least one payment method type`, { param });
  return list;
}

const MIN_AMOUNT: Record<string, number> = { usd: 50, eur: 50, gbp: 30, jpy: 50, chf: 50, aud: 50, nzd: 50, hkd: 400, dkk: 250, nok: 300, sek: 300, zar: 1000 };

export function checkAmount(amount: number, currency: string, param = 'amount'): void {
  const min = MIN_AMOUNT[currency] ?? 50;
  if (amount < min) {
    throw invalid(`Amount must be at least ${min} ${currency} (minor units)`, { code: 'amount_too_small', param });
  }
  if (amount > 99_999_999) {
    throw invalid('Amount must be no more than 99999999', { code: 'amount_too_large', param });
  }
}

export function clientSecret(id: string): string {
  return `${id}_secret_${randomString(25)}`;
}

/** True for versions on which `payment_method_types` is gone (endive and later majors). */
function isEndiveOrLater(version: string): boolean {
  const [date, name] = version.split('.');
  return name ? name >= 'endive' : date >= '2026-10-28';
}
