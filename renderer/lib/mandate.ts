/** The mandate parameters form: its defaults (in the customer's language) and its conversion to MandateParams. */
import type { Currency, Language, MandateParams } from '../../preload/contract';
import { amountForInput, todayIsoDate } from '../i18n/format';
import { translate } from '../i18n/translate';
import { parseMoneyInput } from '../i18n/format';
import { moneyProblem, type Checked, type Errors } from './validation';

export type Frequency = MandateParams['frequency'];
export type AmountRuleName = MandateParams['amountRule'];
export const FREQUENCIES: Frequency[] = ['one_off', 'recurring', 'as_needed'];
export const AMOUNT_RULES: AmountRuleName[] = ['fixed', 'up_to_max', 'per_usage'];

export interface MandateForm {
  purpose: string;
  frequency: Frequency;
  timing: string;
  amountRule: AmountRuleName;
  /** The fixed amount or the maximum, as typed in major units. */
  amountText: string;
  currency: Currency;
  startDate: string;
  untilCancelled: boolean;
  endDate: string;
  cancellationPolicy: string;
}
export type MandateField = 'purpose' | 'timing' | 'amount' | 'maxAmount' | 'startDate' | 'endDate' | 'cancellationPolicy';

/** The texts a new mandate starts with, written in the language the customer will read them in. */
export function defaultMandateTexts(lang: Language, frequency: Frequency, shopName: string): Pick<MandateForm, 'purpose' | 'timing' | 'cancellationPolicy'> {
  return {
    purpose: translate(lang, 'mandate.default.purpose', { shop: shopName }),
    timing: translate(lang, `mandate.default.timing.${frequency}`),
    cancellationPolicy: translate(lang, 'mandate.default.cancellation', { shop: shopName }),
  };
}

export function defaultMandateForm(opts: { lang: Language; shopName: string; currency: Currency; today?: string }): MandateForm {
  const frequency: Frequency = 'as_needed';
  return {
    ...defaultMandateTexts(opts.lang, frequency, opts.shopName),
    frequency,
    amountRule: 'up_to_max',
    amountText: '',
    currency: opts.currency,
    startDate: opts.today ?? todayIsoDate(),
    untilCancelled: true,
    endDate: '',
  };
}

/** The form values back from recorded params (to start a corrected consent from the old one). */
export function formFromParams(params: MandateParams): MandateForm {
  const minor = params.amountRule === 'fixed' ? params.amount : params.maxAmount;
  return {
    purpose: params.purpose,
    frequency: params.frequency,
    timing: params.timing,
    amountRule: params.amountRule,
    amountText: minor === undefined ? '' : amountForInput(minor, params.currency),
    currency: params.currency,
    startDate: params.startDate,
    untilCancelled: params.endDate === null,
    endDate: params.endDate ?? '',
    cancellationPolicy: params.cancellationPolicy,
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function text(errors: Errors<MandateField>, field: MandateField, value: string, max: number): void {
  const length = value.trim().length;
  if (length === 0) errors[field] = { key: 'validation.required' };
  else if (length < 3) errors[field] = { key: 'validation.minLength', vars: { min: 3 } };
  else if (length > max) errors[field] = { key: 'validation.maxLength', vars: { max } };
}

/** Checks the form and builds the MandateParams the contract expects (field names as in MandateParams). */
export function checkMandateForm(form: MandateForm): Checked<MandateField, MandateParams> {
  const errors: Errors<MandateField> = {};
  text(errors, 'purpose', form.purpose, 300);
  text(errors, 'timing', form.timing, 300);
  text(errors, 'cancellationPolicy', form.cancellationPolicy, 600);
  const amountField: MandateField = form.amountRule === 'fixed' ? 'amount' : 'maxAmount';
  const parsed = parseMoneyInput(form.amountText, form.currency);
  if (!parsed.ok) errors[amountField] = moneyProblem(parsed, form.currency);
  if (!DATE.test(form.startDate)) errors.startDate = { key: 'validation.date' };
  if (!form.untilCancelled) {
    if (!DATE.test(form.endDate)) errors.endDate = { key: 'validation.date' };
    else if (DATE.test(form.startDate) && form.endDate < form.startDate) errors.endDate = { key: 'validation.endBeforeStart' };
  }
  if (Object.keys(errors).length > 0 || !parsed.ok) return { ok: false, errors };
  return {
    ok: true,
    value: {
      purpose: form.purpose.trim(),
      frequency: form.frequency,
      timing: form.timing.trim(),
      amountRule: form.amountRule,
      ...(form.amountRule === 'fixed' ? { amount: parsed.minor } : { maxAmount: parsed.minor }),
      currency: form.currency,
      startDate: form.startDate,
      endDate: form.untilCancelled ? null : form.endDate,
      cancellationPolicy: form.cancellationPolicy.trim(),
    },
  };
}
