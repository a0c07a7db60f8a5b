/**
 * The mandate terms the customer reads and accepts (docs/ARCHITECTURE.md §3a), rendered as plain
 * text in the customer's language. Rendering is deterministic — no timestamps, no machine state —
 * so re-rendering the same inputs gives the same SHA-256, which is how `consents.record` proves the
 * customer accepted exactly what was shown.
 */
import { createHash } from 'node:crypto';
import { calendarDay, type Language, type MandateParams, type RenderedTerms } from '../../preload/contract';
import { AppError } from './errors';
import { formatDate, formatMoney, LOCALES, mainText, type MainTextKey } from './i18n';

/** Bump whenever the wording or structure below changes (in either language, including the texts in i18n.ts): consent records keep the version they accepted. */
export const TERMS_VERSION = '2026-12.1';

export interface TermsInput {
  language: Language;
  shop: { name: string; contact: string };
  customer: { name: string; email: string };
  params: MandateParams;
  /** The counter the terms were presented at, if known. */
  terminalName?: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Price as the customer should read it: fixed amount, or the maximum per payment. */
function describeAmountRule(params: MandateParams, language: Language): string {
  const money = (amount: number | undefined) => (amount === undefined ? '' : formatMoney(amount, params.currency, language));
  return mainText(language, `amountRule.${params.amountRule}`, { amount: money(params.amount), max: money(params.maxAmount) });
}

/**
 * A mandate date as the customer reads it. An impossible date is refused, never rolled over
 * (2027-00-00 would otherwise read as "November 30, 2026").
 */
function termsDate(date: string, field: 'startDate' | 'endDate', language: Language): string {
  if (calendarDay(date) === null) {
    const message = `${date} is not a real calendar date`;
    throw new AppError('invalid_input', `params.${field}: ${message}`, { fields: { [`params.${field}`]: message } });
  }
  return formatDate(date, language);
}

function describeEnd(params: MandateParams, language: Language): string {
  return params.endDate === null
    ? mainText(language, 'period.untilCancelled')
    : mainText(language, 'period.until', { date: termsDate(params.endDate, 'endDate', language) });
}

export function renderTerms(input: TermsInput): RenderedTerms {
  const { language, shop, customer, params } = input;
  const t = (key: MainTextKey, vars?: Record<string, string | number>) => mainText(language, key, vars);
  const money = (amount: number | undefined) => (amount === undefined ? '' : formatMoney(amount, params.currency, language));
  const currencyName = new Intl.DisplayNames(LOCALES[language], { type: 'currency' }).of(params.currency.toUpperCase()) ?? params.currency.toUpperCase();
  const startDate = termsDate(params.startDate, 'startDate', language);

  const title = t('terms.title');
  const sections: string[][] = [
    [
      title,
      t('terms.version', { version: TERMS_VERSION }),
      '',
      t('terms.shop', { shop: shop.name }),
      t('terms.shopContact', { contact: shop.contact }),
      t('terms.customer', { name: customer.name, email: customer.email }),
      t('terms.paymentMethod'),
      ...(input.terminalName ? [t('terms.presentedAt', { terminal: input.terminalName })] : []),
    ],
    [
      t('terms.permission.heading'),
      t('terms.permission.body', { name: customer.name, shop: shop.name }),
      t('terms.permission.purpose', { purpose: params.purpose }),
    ],
    [t('terms.frequency.heading'), t(`terms.frequency.${params.frequency}`), t('terms.frequency.timing', { timing: params.timing })],
    [
      t('terms.amount.heading'),
      t(`terms.amount.${params.amountRule}`, { amount: money(params.amount), max: money(params.maxAmount) }),
      t('terms.amount.currency', { currency: currencyName }),
    ],
    [
      t('terms.period.heading'),
      t('terms.period.start', { date: startDate }),
      params.endDate === null ? t('terms.period.untilCancelled') : t('terms.period.until', { date: termsDate(params.endDate, 'endDate', language) }),
    ],
    [t('terms.cancellation.heading'), params.cancellationPolicy],
    [t('terms.changes.heading'), t('terms.changes.body')],
    [t('terms.withdraw.heading'), t('terms.withdraw.body', { shop: shop.name, contact: shop.contact })],
    [t('terms.copy.heading'), t('terms.copy.body')],
    [
      t('terms.finalConfirmation.heading'),
      t('terms.finalConfirmation.intro'),
      `- ${t('terms.finalConfirmation.price', { price: describeAmountRule(params, language) })}`,
      `- ${t('terms.finalConfirmation.timing', { frequency: t(`frequency.${params.frequency}`), timing: params.timing })}`,
      `- ${t('terms.finalConfirmation.method')}`,
      `- ${t('terms.finalConfirmation.period', { start: startDate, end: describeEnd(params, language) })}`,
      `- ${t('terms.finalConfirmation.cancellation', { policy: params.cancellationPolicy })}`,
    ],
    [t('terms.privacy.heading'), t('terms.privacy.body', { shop: shop.name, contact: shop.contact })],
    [t('terms.acceptance')],
  ];
  const text = sections.map((lines) => lines.join('\n')).join('\n\n') + '\n';
  return { version: TERMS_VERSION, language, title, text, sha256: sha256Hex(text) };
}
