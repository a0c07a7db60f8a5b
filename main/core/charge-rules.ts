/**
 * May this consent be charged now, this much, on this method? (docs/ARCHITECTURE.md §3a, "Charging
 * against a consent"). Pure: the caller looks the records up, this only judges them, so every
 * branch is unit-tested without Stripe or a store.
 */
import { calendarDay, type Currency } from '../../preload/contract';
import type { ConsentRecord, SavedMethodRecord, WithdrawalRecord } from './data';
import { AppError } from './errors';
import { formatMoney } from './i18n';
import { consentStatus } from './views';

export type ChargeKind = 'one_off' | 'subscription';

export interface ChargeCheck {
  consent: ConsentRecord;
  /** The consent's withdrawal record, if there is one. */
  withdrawal: WithdrawalRecord | null | undefined;
  /** The saved method the charge would use (looked up by payment method id), if there is one. */
  savedMethod: SavedMethodRecord | null | undefined;
  amount: number;
  currency: Currency;
  now: Date;
  kind: ChargeKind;
  /** Charges already made (or possibly made: pending, processing) under this consent. */
  chargesSoFar: number;
}

export type ChargeCheckResult = { ok: true } | { ok: false; error: AppError };

/** Refusal messages are the English fallback (the renderer translates the code). */
const money = (amount: number, currency: Currency) => formatMoney(amount, currency, 'en');

/** Only records made before dates were checked can hold one; such a consent is never charged. */
const impossibleDate = (which: 'start' | 'end', date: string) =>
  `This consent's ${which} date ${date} is not a real calendar date, so it cannot be charged. Record a corrected consent with the customer.`;

function refuse(code: ConstructorParameters<typeof AppError>[0], message: string): ChargeCheckResult {
  return { ok: false, error: new AppError(code, message) };
}

export function checkChargeAllowed(check: ChargeCheck): ChargeCheckResult {
  const { consent, withdrawal, savedMethod, amount, currency, now, kind, chargesSoFar } = check;
  const { params } = consent;

  switch (consentStatus({ withdrawals: withdrawal ? [withdrawal] : [] }, consent, now)) {
    case 'withdrawn':
      return refuse('consent_inactive', `This consent was withdrawn on ${withdrawal!.at.slice(0, 10)}; it can no longer be charged.`);
    case 'not_started':
      return calendarDay(params.startDate) === null
        ? refuse('consent_inactive', impossibleDate('start', params.startDate))
        : refuse('consent_inactive', `This consent starts on ${params.startDate}; it cannot be charged before then.`);
    case 'expired':
      return params.endDate !== null && calendarDay(params.endDate) === null
        ? refuse('consent_inactive', impossibleDate('end', params.endDate))
        : refuse('consent_inactive', `This consent ended on ${params.endDate}; it can no longer be charged.`);
    case 'active':
      break;
  }

  if (!savedMethod || savedMethod.consentId !== consent.id || savedMethod.customerId !== consent.customerId)
    return refuse('method_detached', 'This payment method was not saved under this consent; only a method saved with the consent can be charged.');
  if (savedMethod.detachedAt !== null)
    return refuse('method_detached', `This payment method was detached on ${savedMethod.detachedAt.slice(0, 10)}; it can no longer be charged.`);

  if (kind === 'subscription' && params.frequency !== 'recurring')
    return refuse('frequency_not_allowed', `This consent is for ${params.frequency.replace('_', '-')} payments; a subscription needs a consent to recurring payments.`);

  if (kind === 'one_off' && params.frequency === 'one_off' && chargesSoFar > 0)
    return refuse('frequency_not_allowed', 'This consent is for a single payment, and it has already been charged; a further charge needs a new consent.');

  if (currency !== params.currency)
    return refuse('amount_not_allowed', `This consent is in ${params.currency.toUpperCase()}; a charge in ${currency.toUpperCase()} is not allowed.`);
  if (params.amountRule === 'fixed') {
    if (amount !== params.amount)
      return refuse('amount_not_allowed', `This consent allows a fixed amount of exactly ${money(params.amount!, currency)} per charge; ${money(amount, currency)} is not allowed.`);
  } else if (amount > params.maxAmount!) {
    const rule = params.amountRule === 'per_usage' ? 'per-usage charges' : 'charges';
    return refuse('amount_not_allowed', `This consent allows ${rule} of at most ${money(params.maxAmount!, currency)}; ${money(amount, currency)} is over that limit.`);
  }
  return { ok: true };
}

/** The same check, throwing the refusal: what the handlers use. */
export function assertChargeAllowed(check: ChargeCheck): void {
  const result = checkChargeAllowed(check);
  if (!result.ok) throw result.error;
}
