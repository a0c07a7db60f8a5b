import { describe, expect, it } from 'vitest';
import { calls, Email } from '../../preload/contract';
import { translate } from '../../renderer/i18n/translate';
import {
  checkCharge,
  checkCustomer,
  checkNewManager,
  checkNewStaff,
  checkPinOnly,
  checkPrice,
  checkRefund,
  checkSettings,
  checkSignIn,
  checkTrainingDays,
  checkWithdrawReason,
  isEmail,
  prefillCustomer,
  type Checked,
} from '../../renderer/lib/validation';

function errorsOf<F extends string, V>(checked: Checked<F, V>) {
  if (checked.ok) throw new Error('expected errors, got a value');
  return checked.errors;
}
function valueOf<F extends string, V>(checked: Checked<F, V>): V {
  if (!checked.ok) throw new Error(`expected a value, got ${JSON.stringify(checked.errors)}`);
  return checked.value;
}

describe('customer form', () => {
  it('produces input the contract accepts, without an empty phone', () => {
    const value = valueOf(checkCustomer({ name: '  Hanako Yamada ', email: ' hanako@example.jp ', phone: '', language: 'ja' }));
    expect(value).toEqual({ name: 'Hanako Yamada', email: 'hanako@example.jp', language: 'ja' });
    expect(calls['customers.create'].input.safeParse(value).success).toBe(true);
    const withPhone = valueOf(checkCustomer({ name: 'Ken', email: 'ken@example.com', phone: '+81 90-1234-5678', language: 'en' }));
    expect(withPhone.phone).toBe('+81 90-1234-5678');
    expect(calls['customers.create'].input.safeParse(withPhone).success).toBe(true);
  });

  it('explains each bad field with a translatable message', () => {
    const errors = errorsOf(checkCustomer({ name: ' ', email: 'not-an-email', phone: 'call me', language: 'en' }));
    expect(errors.name?.key).toBe('validation.required');
    expect(errors.email?.key).toBe('validation.email');
    expect(errors.phone?.key).toBe('validation.phone');
    expect(errorsOf(checkCustomer({ name: 'A', email: '', phone: '', language: 'en' })).email?.key).toBe('validation.required');
  });

  it('agrees with the contract on what an e-mail address is', () => {
    const samples = ['a@b.co', 'first.last+tag@example.co.jp', 'x_y@sub.example.org', 'no-at-sign', 'a@b', 'a..b@example.com', '.a@example.com', 'a@example.c', 'a b@example.com', 'a@-example.com'];
    for (const sample of samples) expect(isEmail(sample), sample).toBe(Email.safeParse(sample).success);
  });

  it('prefills a new customer from what was searched', () => {
    expect(prefillCustomer('ken@example.com')).toEqual({ name: '', email: 'ken@example.com', phone: '' });
    expect(prefillCustomer('+81 90 1234')).toEqual({ name: '', email: '', phone: '+81 90 1234' });
    expect(prefillCustomer(' Ken Sato ')).toEqual({ name: 'Ken Sato', email: '', phone: '' });
  });
});

describe('PINs and staff', () => {
  it('agrees with the contract on PIN format', () => {
    for (const pin of ['1234', '12345678', '123', '123456789', '12a4', '']) {
      const contractOk = calls['auth.signIn'].input.safeParse({ name: 'x', pin }).success;
      expect(checkPinOnly(pin) === null, pin).toBe(contractOk);
    }
  });

  it('requires the confirmation to match for the first manager', () => {
    const shop = { shopName: ' Mika Cleaning ', shopContact: 'Main Street 1', currency: 'jpy' as const, language: 'ja' as const };
    expect(errorsOf(checkNewManager({ name: 'Mika', pin: '2468', confirmPin: '2469', ...shop })).confirmPin?.key).toBe('validation.pinMismatch');
    expect(errorsOf(checkNewManager({ name: 'Mika', pin: '2468', confirmPin: '2468', shopName: ' ', shopContact: '', currency: 'eur', language: 'en' }))).toEqual({ shopName: { key: 'validation.required' }, shopContact: { key: 'validation.required' } });
    const value = valueOf(checkNewManager({ name: ' Mika ', pin: '2468', confirmPin: '2468', ...shop }));
    expect(value).toMatchObject({ shopName: 'Mika Cleaning', shopContact: 'Main Street 1', currency: 'jpy', language: 'ja' });
    expect(calls['auth.setupFirstManager'].input.safeParse(value).success).toBe(true);
  });

  it('checks sign-in and new staff', () => {
    expect(errorsOf(checkSignIn({ name: '', pin: '' }))).toEqual({ name: { key: 'validation.required' }, pin: { key: 'validation.required' } });
    expect(errorsOf(checkSignIn({ name: 'a', pin: '12' })).pin?.key).toBe('validation.pin');
    const staff = valueOf(checkNewStaff({ name: 'Taro', pin: '1111', role: 'staff' }));
    expect(calls['staff.create'].input.safeParse(staff).success).toBe(true);
    expect(errorsOf(checkNewStaff({ name: 'x'.repeat(81), pin: '1111', role: 'manager' })).name).toEqual({ key: 'validation.maxLength', vars: { max: 80 } });
  });
});

describe('charge form', () => {
  const upTo = { amountRule: 'up_to_max' as const, maxAmount: 5000, currency: 'eur' as const };

  it('accepts an amount within the consent’s maximum', () => {
    expect(valueOf(checkCharge({ amountText: '50.00', description: ' Repair ' }, upTo, 'en'))).toEqual({ amount: 5000, description: 'Repair' });
    expect(valueOf(checkCharge({ amountText: '12.34', description: 'x' }, upTo, 'en')).amount).toBe(1234);
  });

  it('refuses more than the maximum, naming the maximum in the UI language', () => {
    const errors = errorsOf(checkCharge({ amountText: '50.01', description: 'Repair' }, upTo, 'en'));
    expect(errors.amount).toEqual({ key: 'validation.amountOverMax', vars: { max: '€50.00' } });
    expect(translate('en', errors.amount!.key, errors.amount!.vars)).toBe('The consent allows at most €50.00 per charge.');
  });

  it('refuses anything but the fixed amount of a fixed-amount consent', () => {
    const fixed = { amountRule: 'fixed' as const, amount: 1500, currency: 'jpy' as const };
    expect(errorsOf(checkCharge({ amountText: '1,400', description: 'x' }, fixed, 'ja')).amount).toEqual({ key: 'validation.amountMustBeFixed', vars: { amount: '￥1,500' } });
    expect(valueOf(checkCharge({ amountText: '1,500', description: 'x' }, fixed, 'ja')).amount).toBe(1500);
  });

  it('explains money problems per currency', () => {
    expect(errorsOf(checkCharge({ amountText: '10.5', description: 'x' }, { amountRule: 'per_usage', maxAmount: 9000, currency: 'jpy' }, 'en')).amount).toEqual({
      key: 'validation.money.noDecimals',
      vars: { currency: 'JPY' },
    });
    expect(errorsOf(checkCharge({ amountText: '1.234', description: 'x' }, upTo, 'en')).amount).toEqual({
      key: 'validation.money.tooManyDecimals',
      vars: { currency: 'EUR', decimals: 2 },
    });
    expect(errorsOf(checkCharge({ amountText: '', description: '' }, upTo, 'en'))).toEqual({
      amount: { key: 'validation.money.empty' },
      description: { key: 'validation.required' },
    });
  });
});

describe('refund form', () => {
  it('never allows more than what remains', () => {
    expect(valueOf(checkRefund({ amountText: '10.00', note: '' }, 'eur', 1000, 'en'))).toEqual({ amount: 1000, note: '' });
    expect(errorsOf(checkRefund({ amountText: '10.01', note: '' }, 'eur', 1000, 'en')).amount).toEqual({ key: 'validation.overRefund', vars: { remaining: '€10.00' } });
    expect(errorsOf(checkRefund({ amountText: '1', note: 'x'.repeat(301) }, 'eur', 1000, 'en')).note?.key).toBe('validation.maxLength');
  });
});

describe('prices, settings and the rest', () => {
  it('builds a price the contract accepts', () => {
    const price = valueOf(checkPrice({ productName: 'Coffee club', amountText: '9.90', currency: 'eur', interval: 'month', intervalCount: '1' }));
    expect(price).toEqual({ productName: 'Coffee club', amount: 990, currency: 'eur', interval: 'month', intervalCount: 1 });
    const input = { ...price, requestKey: '9b2f4a40-8a0c-4a8e-9a43-1a2b3c4d5e6f' };
    expect(calls['prices.create'].input.safeParse(input).success).toBe(true);
    expect(errorsOf(checkPrice({ productName: '', amountText: '0', currency: 'eur', interval: 'month', intervalCount: '13' }))).toEqual({
      productName: { key: 'validation.required' },
      amount: { key: 'validation.money.zero' },
      intervalCount: { key: 'validation.range', vars: { min: 1, max: 12 } },
    });
  });

  it('builds settings the contract accepts', () => {
    const form = { shopName: ' Cafe ', shopContact: 'Tokyo', defaultCurrency: 'jpy' as const, defaultLanguage: 'ja' as const, idleLockMinutes: '15', terminalName: 'Till 1', taxRatePercent: '10', invoiceRegistrationNumber: '' };
    const value = valueOf(checkSettings(form));
    expect(value).toMatchObject({ shopName: 'Cafe', idleLockMinutes: 15 });
    expect(calls['settings.update'].input.safeParse(value).success).toBe(true);
    expect(errorsOf(checkSettings({ ...form, idleLockMinutes: '0' })).idleLockMinutes?.key).toBe('validation.range');
    expect(errorsOf(checkSettings({ ...form, idleLockMinutes: '1.5' })).idleLockMinutes?.key).toBe('validation.range');
  });

  it('checks a withdrawal reason and training days like the contract', () => {
    expect(checkWithdrawReason('no')).toEqual({ key: 'validation.minLength', vars: { min: 3 } });
    expect(checkWithdrawReason('Customer asked')).toBeNull();
    expect(calls['consents.withdraw'].input.safeParse({ consentId: 'c', reason: 'no' }).success).toBe(false);
    expect(checkTrainingDays('30')).toBeNull();
    expect(checkTrainingDays('0')).not.toBeNull();
    expect(checkTrainingDays('401')).not.toBeNull();
  });
});
