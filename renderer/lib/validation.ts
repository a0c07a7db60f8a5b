/**
 * Client-side checks that mirror the contract's schemas, so people see translated messages next to
 * the field before anything is sent. Main validates again; these only make the UI helpful.
 */
import type { CallInput, Currency, Language, MandateParams, Role } from '../../preload/contract';
import { currencyExponent, formatMoney, parseMoneyInput, type ParsedMoney } from '../i18n/format';
import type { Msg } from '../i18n/translate';
import { isRegistrationNumber, normalizeRegistrationNumber } from './shop';

export type Errors<F extends string = string> = Partial<Record<F, Msg>>;
export type Checked<F extends string, V> = { ok: true; value: V } | { ok: false; errors: Errors<F> };

const EMAIL = /^(?!\.)(?!.*\.\.)[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
const PHONE = /^[+0-9 ()-]*$/;
const PIN = /^\d{4,8}$/;

export function isEmail(text: string): boolean {
  return EMAIL.test(text.trim());
}

/** As the contract's Phone: digits, spaces, + ( ) -, at most 40 characters once trimmed (blank passes). */
export function isPhone(text: string): boolean {
  const value = text.trim();
  return PHONE.test(value) && value.length <= 40;
}

function done<F extends string, V>(errors: Errors<F>, value: () => V): Checked<F, V> {
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: value() };
}

/** A translated message for a money input that did not parse. */
export function moneyProblem(parsed: Extract<ParsedMoney, { ok: false }>, currency: Currency): Msg {
  if (parsed.problem !== 'too_many_decimals') return { key: `validation.money.${parsed.problem}` };
  const decimals = currencyExponent(currency);
  return decimals === 0
    ? { key: 'validation.money.noDecimals', vars: { currency: currency.toUpperCase() } }
    : { key: 'validation.money.tooManyDecimals', vars: { currency: currency.toUpperCase(), decimals } };
}

/** Parses a money field; on failure puts the message under `field`. */
function money<F extends string>(errors: Errors<F>, field: F, text: string, currency: Currency): number | undefined {
  const parsed = parseMoneyInput(text, currency);
  if (parsed.ok) return parsed.minor;
  errors[field] = moneyProblem(parsed, currency);
  return undefined;
}

function requireText<F extends string>(errors: Errors<F>, field: F, text: string, min = 1, max = Infinity): void {
  const length = text.trim().length;
  if (length === 0) errors[field] = { key: 'validation.required' };
  else if (length < min) errors[field] = { key: 'validation.minLength', vars: { min } };
  else if (length > max) errors[field] = { key: 'validation.maxLength', vars: { max } };
}

function checkPin<F extends string>(errors: Errors<F>, field: F, pin: string): void {
  if (!PIN.test(pin)) errors[field] = { key: 'validation.pin' };
}

export function checkSignIn(form: { name: string; pin: string }): Checked<'name' | 'pin', { name: string; pin: string }> {
  const errors: Errors<'name' | 'pin'> = {};
  requireText(errors, 'name', form.name, 1, 80);
  if (form.pin === '') errors.pin = { key: 'validation.required' };
  else checkPin(errors, 'pin', form.pin);
  return done(errors, () => ({ name: form.name.trim(), pin: form.pin }));
}

export interface FirstManagerForm { name: string; pin: string; confirmPin: string; shopName: string; shopContact: string; currency: Currency; language: Language }
export function checkNewManager(form: FirstManagerForm): Checked<keyof FirstManagerForm, CallInput<'auth.setupFirstManager'>> {
  const errors: Errors<keyof FirstManagerForm> = {};
  requireText(errors, 'name', form.name, 1, 80);
  checkPin(errors, 'pin', form.pin);
  if (form.confirmPin !== form.pin) errors.confirmPin = { key: 'validation.pinMismatch' };
  requireText(errors, 'shopName', form.shopName, 1, 120);
  requireText(errors, 'shopContact', form.shopContact, 1, 300);
  return done(errors, () => ({
    name: form.name.trim(),
    pin: form.pin,
    shopName: form.shopName.trim(),
    shopContact: form.shopContact.trim(),
    currency: form.currency,
    language: form.language,
  }));
}

export function checkNewStaff(form: { name: string; pin: string; role: Role }): Checked<'name' | 'pin', CallInput<'staff.create'>> {
  const errors: Errors<'name' | 'pin'> = {};
  requireText(errors, 'name', form.name, 1, 80);
  checkPin(errors, 'pin', form.pin);
  return done(errors, () => ({ name: form.name.trim(), pin: form.pin, role: form.role }));
}

export function checkPinOnly(pin: string): Msg | null {
  return PIN.test(pin) ? null : { key: 'validation.pin' };
}

export interface CustomerForm { name: string; email: string; phone: string; language: Language }
export function checkCustomer(form: CustomerForm): Checked<'name' | 'email' | 'phone', CallInput<'customers.create'>> {
  const errors: Errors<'name' | 'email' | 'phone'> = {};
  requireText(errors, 'name', form.name, 1, 120);
  if (form.email.trim() === '') errors.email = { key: 'validation.required' };
  else if (!isEmail(form.email) || form.email.trim().length > 254) errors.email = { key: 'validation.email' };
  if (!isPhone(form.phone)) errors.phone = { key: 'validation.phone' };
  return done(errors, () => {
    const phone = form.phone.trim();
    return { name: form.name.trim(), email: form.email.trim(), language: form.language, ...(phone ? { phone } : {}) };
  });
}

/** What the search box held becomes the e-mail, the phone or the name of the new customer. */
export function prefillCustomer(text: string): Pick<CustomerForm, 'name' | 'email' | 'phone'> {
  const value = text.trim();
  if (isEmail(value)) return { name: '', email: value, phone: '' };
  if (value && PHONE.test(value)) return { name: '', email: '', phone: value };
  return { name: value, email: '', phone: '' };
}

/** The amount rule of a consent, as the charge form needs it. */
export type AmountRule = Pick<MandateParams, 'amountRule' | 'amount' | 'maxAmount' | 'currency'>;

export function checkCharge(
  form: { amountText: string; description: string },
  rule: AmountRule,
  lang: Language,
): Checked<'amount' | 'description', { amount: number; description: string }> {
  const errors: Errors<'amount' | 'description'> = {};
  const amount = money(errors, 'amount', form.amountText, rule.currency);
  if (amount !== undefined) {
    if (rule.amountRule === 'fixed' && rule.amount !== undefined && amount !== rule.amount)
      errors.amount = { key: 'validation.amountMustBeFixed', vars: { amount: formatMoney(rule.amount, rule.currency, lang) } };
    if (rule.amountRule !== 'fixed' && rule.maxAmount !== undefined && amount > rule.maxAmount)
      errors.amount = { key: 'validation.amountOverMax', vars: { max: formatMoney(rule.maxAmount, rule.currency, lang) } };
  }
  requireText(errors, 'description', form.description, 1, 300);
  return done(errors, () => ({ amount: amount as number, description: form.description.trim() }));
}

export function checkRefund(
  form: { amountText: string; note: string },
  currency: Currency,
  remaining: number,
  lang: Language,
): Checked<'amount' | 'note', { amount: number; note: string }> {
  const errors: Errors<'amount' | 'note'> = {};
  const amount = money(errors, 'amount', form.amountText, currency);
  if (amount !== undefined && amount > remaining)
    errors.amount = { key: 'validation.overRefund', vars: { remaining: formatMoney(remaining, currency, lang) } };
  if (form.note.trim().length > 300) errors.note = { key: 'validation.maxLength', vars: { max: 300 } };
  return done(errors, () => ({ amount: amount as number, note: form.note.trim() }));
}

export interface PriceForm { productName: string; amountText: string; currency: Currency; interval: 'day' | 'week' | 'month' | 'year'; intervalCount: string }
export function checkPrice(form: PriceForm): Checked<'productName' | 'amount' | 'intervalCount', Omit<CallInput<'prices.create'>, 'requestKey'>> {
  const errors: Errors<'productName' | 'amount' | 'intervalCount'> = {};
  requireText(errors, 'productName', form.productName, 1, 120);
  const amount = money(errors, 'amount', form.amountText, form.currency);
  const count = Number(form.intervalCount);
  if (!/^\d+$/.test(form.intervalCount.trim()) || count < 1 || count > 12) errors.intervalCount = { key: 'validation.range', vars: { min: 1, max: 12 } };
  return done(errors, () => ({ productName: form.productName.trim(), amount: amount as number, currency: form.currency, interval: form.interval, intervalCount: count }));
}

export interface SettingsForm {
  shopName: string;
  shopContact: string;
  defaultCurrency: Currency;
  defaultLanguage: Language;
  idleLockMinutes: string;
  terminalName: string;
  taxRatePercent: string;
  invoiceRegistrationNumber: string;
}
type SettingsField = 'shopName' | 'shopContact' | 'idleLockMinutes' | 'terminalName' | 'taxRatePercent' | 'invoiceRegistrationNumber';
export function checkSettings(form: SettingsForm): Checked<SettingsField, CallInput<'settings.update'>> {
  const errors: Errors<SettingsField> = {};
  requireText(errors, 'shopName', form.shopName, 1, 120);
  requireText(errors, 'shopContact', form.shopContact, 1, 300);
  requireText(errors, 'terminalName', form.terminalName, 1, 60);
  const minutes = Number(form.idleLockMinutes);
  if (!/^\d+$/.test(form.idleLockMinutes.trim()) || minutes < 1 || minutes > 240) errors.idleLockMinutes = { key: 'validation.range', vars: { min: 1, max: 240 } };
  const taxRate = Number(form.taxRatePercent.normalize('NFKC').trim());
  if (!/^\d+$/.test(form.taxRatePercent.normalize('NFKC').trim()) || taxRate > 100) errors.taxRatePercent = { key: 'validation.range', vars: { min: 0, max: 100 } };
  const registrationNumber = normalizeRegistrationNumber(form.invoiceRegistrationNumber);
  if (!isRegistrationNumber(registrationNumber)) errors.invoiceRegistrationNumber = { key: 'validation.registrationNumber' };
  return done(errors, () => ({
    shopName: form.shopName.trim(),
    shopContact: form.shopContact.trim(),
    defaultCurrency: form.defaultCurrency,
    defaultLanguage: form.defaultLanguage,
    idleLockMinutes: minutes,
    terminalName: form.terminalName.trim(),
    taxRatePercent: taxRate,
    invoiceRegistrationNumber: registrationNumber,
  }));
}

export function checkWithdrawReason(reason: string): Msg | null {
  const errors: Errors<'reason'> = {};
  requireText(errors, 'reason', reason, 3, 500);
  return errors.reason ?? null;
}

export function checkTrainingDays(text: string): Msg | null {
  const days = Number(text);
  return /^\d+$/.test(text.trim()) && days >= 1 && days <= 400 ? null : { key: 'validation.range', vars: { min: 1, max: 400 } };
}
