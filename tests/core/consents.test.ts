import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CustomerView, Language, MandateParams } from '../../preload/contract';
import { localIsoWithOffset } from '../../main/core/consents';
import { formatDate, formatMoney, mainText, minorUnitExponent } from '../../main/core/i18n';
import { readStoredData, storeSnapshot } from '../helpers/stored';
import { renderTerms, TERMS_VERSION, type TermsInput } from '../../main/core/terms';
import { signInManager, startTestCore, type TestCore, callError } from '../helpers/core';

const recurringJpy: MandateParams = {
  purpose: 'Monthly coffee bean subscription',
  frequency: 'recurring',
  timing: 'On the 1st of each month',
  amountRule: 'fixed',
  amount: 12_000,
  currency: 'jpy',
  startDate: '2026-12-01',
  endDate: null,
  cancellationPolicy: 'Cancel any time before the 25th; the next month is then not charged.',
};
const perUsageEur: MandateParams = {
  purpose: 'Bike repairs',
  frequency: 'as_needed',
  timing: 'After each repair is finished',
  amountRule: 'per_usage',
  maxAmount: 25_050,
  currency: 'eur',
  startDate: '2026-12-01',
  endDate: '2027-11-30',
  cancellationPolicy: 'No fee to cancel.',
};

function termsInput(language: Language, params: MandateParams = recurringJpy): TermsInput {
  return {
    language,
    shop: { name: 'Kissa Midori', contact: '03-1234-5678 / hello@midori.example' },
    customer: { name: '山田 花子', email: 'hanako@example.jp' },
    params,
    terminalName: 'Counter 1',
  };
}

describe('i18n formatting', () => {
  it('formats money in the currency’s own minor unit (JPY has none)', () => {
    expect(minorUnitExponent('jpy')).toBe(0);
    expect(minorUnitExponent('eur')).toBe(2);
    expect(formatMoney(12_000, 'jpy', 'en')).toBe('¥12,000');
    expect(formatMoney(12_000, 'jpy', 'ja')).toBe('￥12,000');
    expect(formatMoney(25_050, 'eur', 'en')).toBe('€250.50');
    expect(formatMoney(5, 'usd', 'en')).toBe('$0.05');
  });
  it('formats calendar dates without shifting them by time zone', () => {
    expect(formatDate('2026-12-01', 'en')).toBe('December 1, 2026');
    expect(formatDate('2026-12-01', 'ja')).toBe('2026年12月1日');
  });
  it('fills placeholders and has the return-page texts in both languages', () => {
    expect(mainText('en', 'setup.description', { shop: 'S', purpose: 'P' })).toBe('Charge-later authorization for S: P');
    for (const key of ['returnPage.title', 'returnPage.succeeded', 'returnPage.failed', 'returnPage.canceled', 'returnPage.closeHint'] as const) {
      expect(mainText('en', key).length).toBeGreaterThan(5);
      expect(mainText('ja', key).length).toBeGreaterThan(5);
    }
    expect(mainText('en', 'returnPage.closeHint')).toBe('You can close this page and return to the shop counter.');
  });
});

describe('renderTerms', () => {
  const required: Record<Language, Array<[string, RegExp | string]>> = {
    en: [
      ['permission to initiate a payment or series on the customer’s behalf', /authorize Kissa Midori to initiate a payment or a series of payments from my Amazon Pay account on my behalf/],
      ['for the stated purpose only', /for the following purpose only/],
      ['the purpose', 'Purpose: Monthly coffee bean subscription'],
      ['frequency', 'Frequency: recurring payments'],
      ['timing', 'Timing: On the 1st of each month'],
      ['how the amount is determined (fixed, JPY without decimals)', 'Each payment is a fixed amount of ¥12,000.'],
      ['start date', 'Start date: December 1, 2026'],
      ['duration', 'This permission lasts until you cancel it.'],
      ['cancellation policy', 'Cancel any time before the 25th; the next month is then not charged.'],
      ['shop name and contact', 'Shop contact: 03-1234-5678 / hello@midori.example'],
      ['payment method', 'Payment method: Amazon Pay'],
      ['changes told at least 7 days ahead', /at least 7 days before it takes effect/],
      ['how to withdraw consent', /withdraw this permission at any time by contacting Kissa Midori \(03-1234-5678/],
      ['withdrawal takes effect for future charges', /Withdrawal takes effect for all future charges/],
      ['a copy is given to the customer', 'A copy of these terms is given to you'],
      ['final confirmation (特定商取引法)', /Final confirmation \(Japan: Act on Specified Commercial Transactions\)/],
      ['final confirmation: price', '- Price: Fixed amount: ¥12,000'],
      ['final confirmation: payment timing', '- Payment timing: Recurring; On the 1st of each month'],
      ['final confirmation: method', '- Payment method: Amazon Pay'],
      ['final confirmation: cancellation', '- Cancellation: Cancel any time before the 25th'],
      ['purpose of use of personal data (個人情報保護法)', /Purpose of use of personal data \(Japan: Act on the Protection of Personal Information\)/],
      ['the customer', 'Customer: 山田 花子 (hanako@example.jp)'],
      ['terms version', `Terms version: ${TERMS_VERSION}`],
    ],
    ja: [
      ['permission to initiate a payment or series on the customer’s behalf', /Kissa Midoriが、以下の目的に限り、私に代わって私の Amazon Pay アカウントから 1 回または複数回の支払いを開始することを許可します/],
      ['the purpose', '目的: Monthly coffee bean subscription'],
      ['frequency', '頻度: 継続的なお支払い（定期支払い）'],
      ['timing', '時期: On the 1st of each month'],
      ['how the amount is determined (fixed, JPY without decimals)', '各回のお支払い金額は ￥12,000（定額）です。'],
      ['start date', '開始日: 2026年12月1日'],
      ['duration', 'この許可は、お客様が解約されるまで有効です。'],
      ['cancellation policy', '5. 解約について\nCancel any time before the 25th'],
      ['shop name and contact', '店舗の連絡先: 03-1234-5678 / hello@midori.example'],
      ['payment method', '支払い方法: Amazon Pay'],
      ['changes told at least 7 days ahead', '変更の効力が生じる 7 日前までにお知らせします'],
      ['how to withdraw consent', 'Kissa Midori（03-1234-5678 / hello@midori.example）にご連絡いただくことで、いつでも撤回できます'],
      ['withdrawal takes effect for future charges', '撤回は以後のすべての請求について効力を生じ'],
      ['a copy is given to the customer', '本規約の控えをお客様にお渡しします'],
      ['final confirmation (特定商取引法)', '最終確認（特定商取引法に基づく表示）'],
      ['final confirmation: price', '- お支払い金額: 定額: ￥12,000'],
      ['final confirmation: payment timing', '- お支払いの時期: 継続支払い／On the 1st of each month'],
      ['final confirmation: method', '- お支払い方法: Amazon Pay'],
      ['final confirmation: period', '- 契約期間: 2026年12月1日から解約されるまで'],
      ['purpose of use of personal data (個人情報保護法)', '個人情報の利用目的（個人情報保護法）'],
      ['the customer', 'お客様: 山田 花子 様（hanako@example.jp）'],
      ['terms version', `規約バージョン: ${TERMS_VERSION}`],
    ],
  };

  for (const language of ['en', 'ja'] as const) {
    const terms = renderTerms(termsInput(language));
    for (const [element, expected] of required[language]) {
      it(`${language}: states ${element}`, () => {
        if (typeof expected === 'string') expect(terms.text).toContain(expected);
        else expect(terms.text).toMatch(expected);
      });
    }
  }

  it('describes per-usage amounts with a maximum, in the currency, and an end date', () => {
    const en = renderTerms(termsInput('en', perUsageEur)).text;
    expect(en).toContain('Frequency: as needed, each time the service is provided');
    expect(en).toContain('Each payment is calculated from your usage, up to a maximum of €250.50 per payment.');
    expect(en).toContain('All amounts are charged in Euro.');
    expect(en).toContain('This permission lasts until November 30, 2027 (inclusive).');
    const ja = renderTerms(termsInput('ja', perUsageEur)).text;
    expect(ja).toContain('各回のお支払い金額はご利用量に応じて算定し、1 回あたり €250.50 を上限とします。');
    expect(ja).toContain('この許可は2027年11月30日（当日を含む）まで有効です。');
    expect(ja).toContain('ご請求はすべてユーロで行います。');
    expect(ja).toContain('- 契約期間: 2026年12月1日から2027年11月30日まで');
    const upTo = renderTerms(termsInput('en', { ...perUsageEur, amountRule: 'up_to_max', frequency: 'one_off' })).text;
    expect(upTo).toContain('up to a maximum of €250.50 per payment');
    expect(upTo).toContain('Frequency: a single payment (one-off)');
  });

  it('writes the Japanese terms without English boilerplate', () => {
    const ja = renderTerms(termsInput('ja')).text;
    expect(ja).not.toMatch(/authorize|permission|Payment method|Terms version/);
  });

  it('is deterministic and the hash is the SHA-256 of the exact text', () => {
    const a = renderTerms(termsInput('en'));
    const b = renderTerms(structuredClone(termsInput('en')));
    expect(b).toEqual(a);
    expect(a.sha256).toBe(createHash('sha256').update(a.text, 'utf8').digest('hex'));
    expect(a.version).toBe(TERMS_VERSION);
    expect(a.title).toBe('Authorization to charge later with Amazon Pay');
    // any change to what the customer reads changes the hash
    expect(renderTerms(termsInput('ja')).sha256).not.toBe(a.sha256);
    expect(renderTerms(termsInput('en', { ...recurringJpy, amount: 12_001 })).sha256).not.toBe(a.sha256);
    expect(renderTerms({ ...termsInput('en'), shop: { name: 'Kissa Midori', contact: 'other' } }).sha256).not.toBe(a.sha256);
  });
});

describe('localIsoWithOffset', () => {
  it('gives the wall-clock time with the zone’s offset at that moment', () => {
    const at = new Date('2026-11-27T13:10:05.123Z');
    expect(localIsoWithOffset(at, 'Asia/Tokyo')).toBe('2026-11-27T22:10:05.123+09:00');
    expect(localIsoWithOffset(at, 'America/New_York')).toBe('2026-11-27T08:10:05.123-05:00');
    expect(localIsoWithOffset(new Date('2026-07-01T00:00:00.000Z'), 'Europe/Berlin')).toBe('2026-07-01T02:00:00.000+02:00');
    expect(localIsoWithOffset(at, 'Asia/Kolkata')).toBe('2026-11-27T18:40:05.123+05:30');
    expect(localIsoWithOffset(at, 'UTC')).toBe('2026-11-27T13:10:05.123+00:00');
  });
});

describe('consents (through the dispatcher)', () => {
  let t: TestCore;
  let customer: CustomerView;
  beforeEach(async () => {
    t = await startTestCore();
    await signInManager(t);
    await t.call('settings.update', { shopName: 'Kissa Midori', shopContact: '03-1234-5678' });
    ({ customer } = await t.call('customers.create', { name: '山田 花子', email: 'hanako@example.jp', language: 'ja' }));
  });
  afterEach(async () => {
    await t?.close();
  });

  const storeFileText = () => storeSnapshot(t.dataDir);
  async function shownTerms(language: Language = 'ja', params: MandateParams = recurringJpy) {
    return t.call('terms.render', { customerId: customer.id, language, params });
  }
  async function acceptance(overrides: Record<string, unknown> = {}) {
    const terms = await shownTerms();
    return {
      customerId: customer.id,
      language: 'ja' as const,
      params: recurringJpy,
      shownSha256: terms.sha256,
      typedName: '山田　花子',
      accepted: true as const,
      staffConfirmed: true as const,
      timeZone: 'Asia/Tokyo',
      ...overrides,
    };
  }
  /** Every refusal: a clear code, and nothing written to the store file. */
  async function expectRefused(input: Record<string, unknown>, code: string) {
    await t.core.stripeShare.idle();
    const before = await storeFileText();
    const result = await t.raw('consents.record', input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
    expect(await storeFileText()).toBe(before);
    expect((await readStoredData(t.dataDir)).consents).toHaveLength(0);
  }

  it('renders terms for the customer with the shop settings; unknown customer → not_found', async () => {
    const terms = await shownTerms();
    expect(terms.text).toContain('店舗: Kissa Midori');
    expect(terms.text).toContain('お客様: 山田 花子 様（hanako@example.jp）');
    expect(terms.text).toContain('提示した端末: Counter 1');
    expect((await callError(t.call('terms.render', { customerId: 'cust_nope', language: 'ja', params: recurringJpy }))).code).toBe('not_found');
  });

  it('records an immutable consent with the exact text shown, witness, terminal and both times', async () => {
    const terms = await shownTerms();
    const before = Date.now();
    const consent = await t.call('consents.record', await acceptance({ signaturePng: 'data:image/png;base64,iVBORw0KGgo=' }));
    expect(consent).toMatchObject({
      customerId: customer.id,
      stripeCustomerId: customer.stripeCustomerId,
      termsVersion: TERMS_VERSION,
      language: 'ja',
      title: terms.title,
      text: terms.text,
      textSha256: terms.sha256,
      params: recurringJpy,
      typedName: '山田　花子',
      signaturePng: 'data:image/png;base64,iVBORw0KGgo=',
      timeZone: 'Asia/Tokyo',
      witnessedBy: { name: 'Mina Manager' },
      terminalId: t.core.env.records.shop.data.terminalId,
      correctsConsentId: null,
      withdrawal: null,
      links: { checkoutSessionId: null, setupIntentId: null, paymentMethodId: null, mandateId: null },
    });
    expect(Date.parse(consent.acceptedAtUtc)).toBeGreaterThanOrEqual(before - 1);
    expect(consent.acceptedAtUtc).toMatch(/Z$/);
    expect(consent.acceptedAtLocal).toBe(localIsoWithOffset(new Date(consent.acceptedAtUtc), 'Asia/Tokyo'));
    expect(consent.acceptedAtLocal).toMatch(/\+09:00$/);
    // startDate 2026-12-01 is in the future relative to the test clock only before December 2026
    expect(['not_started', 'active']).toContain(consent.status);

    const onDisk = (await readStoredData(t.dataDir));
    expect(onDisk.consents).toHaveLength(1);
    expect(onDisk.consents[0].textSha256).toBe(terms.sha256);
    expect(await t.call('consents.get', { consentId: consent.id })).toEqual(consent);
    expect((await callError(t.call('consents.get', { consentId: 'consent_nope' }))).code).toBe('not_found');
  });

  it('uses the machine’s time zone when none is given', async () => {
    const { timeZone: _omit, ...input } = await acceptance();
    const consent = await t.call('consents.record', input);
    expect(consent.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('accepts the typed name with other spacing, width and case', async () => {
    const { customer: latin } = await t.call('customers.create', { name: 'Ada Lovelace', email: 'ada@example.com', language: 'en' });
    const terms = await t.call('terms.render', { customerId: latin.id, language: 'en', params: perUsageEur });
    const consent = await t.call('consents.record', {
      customerId: latin.id,
      language: 'en',
      params: perUsageEur,
      shownSha256: terms.sha256,
      typedName: '  ａｄａ   LOVELACE ',
      accepted: true,
      staffConfirmed: true,
    });
    expect(consent.typedName).toBe('ａｄａ   LOVELACE');
  });

  it('refuses an unknown customer', async () => {
    await expectRefused(await acceptance({ customerId: 'cust_nope' }), 'not_found');
  });
  it('refuses when the text shown is not what main renders (terms_changed)', async () => {
    await expectRefused(await acceptance({ shownSha256: 'a'.repeat(64) }), 'terms_changed');
    // shown in English, recorded as Japanese
    await expectRefused(await acceptance({ shownSha256: (await shownTerms('en')).sha256 }), 'terms_changed');
    // parameters changed after the terms were shown
    await expectRefused(await acceptance({ params: { ...recurringJpy, amount: 13_000 } }), 'terms_changed');
  });
  it('refuses when the shop details changed after the terms were shown', async () => {
    const input = await acceptance();
    await t.call('settings.update', { shopContact: 'new contact' });
    await expectRefused(input, 'terms_changed');
  });
  it('refuses a typed name that is not the customer’s (name_mismatch)', async () => {
    await expectRefused(await acceptance({ typedName: '山田 太郎' }), 'name_mismatch');
  });
  it('accepts the name typed without the space, or with a full-width one ("山田花子", "山田　花子" are "山田 花子")', async () => {
    const consent = await t.call('consents.record', await acceptance({ typedName: '山田花子' }));
    expect(consent.typedName).toBe('山田花子'); // kept as typed
  });
  it('refuses without acceptance, staff confirmation or with bad shapes (invalid_input)', async () => {
    await expectRefused(await acceptance({ accepted: false }), 'invalid_input');
    await expectRefused(await acceptance({ staffConfirmed: false }), 'invalid_input');
    await expectRefused(await acceptance({ shownSha256: 'XYZ' }), 'invalid_input');
    await expectRefused(await acceptance({ signaturePng: 'data:image/jpeg;base64,AAAA' }), 'invalid_input');
    await expectRefused(await acceptance({ params: { ...recurringJpy, amount: 12.5 } }), 'invalid_input');
    await expectRefused(await acceptance({ params: { ...recurringJpy, amountRule: 'up_to_max' } }), 'invalid_input');
    await expectRefused(await acceptance({ params: { ...recurringJpy, endDate: '2026-01-01' } }), 'invalid_input');
  });
  it('refuses an unknown time zone', async () => {
    await expectRefused(await acceptance({ timeZone: 'Mars/Olympus_Mons' }), 'invalid_input');
  });
  it('refuses when signed out', async () => {
    const input = await acceptance();
    await t.call('auth.signOut', {});
    await expectRefused(input, 'not_signed_in');
  });

  it('records a correction as a new record that references the old one, leaving the old one untouched', async () => {
    const first = await t.call('consents.record', await acceptance());
    await t.core.stripeShare.idle(); // its evidence upload (in the background) is the one thing that changes on it
    const firstOnDisk = (await readStoredData(t.dataDir)).consents[0];
    const params = { ...recurringJpy, amount: 15_000 };
    const terms = await shownTerms('ja', params);
    const correction = await t.call('consents.record', { ...(await acceptance()), params, shownSha256: terms.sha256, correctsConsentId: first.id });
    expect(correction.correctsConsentId).toBe(first.id);
    expect(correction.id).not.toBe(first.id);
    await t.core.stripeShare.idle();
    const consents = (await readStoredData(t.dataDir)).consents;
    expect(consents).toHaveLength(2);
    expect(consents[0]).toEqual(firstOnDisk);
  });
  it('refuses a correction of an unknown consent or of another customer’s consent', async () => {
    const { customer: other } = await t.call('customers.create', { name: 'Ada Lovelace', email: 'ada@example.com', language: 'en' });
    const otherTerms = await t.call('terms.render', { customerId: other.id, language: 'en', params: perUsageEur });
    const othersConsent = await t.call('consents.record', {
      customerId: other.id,
      language: 'en',
      params: perUsageEur,
      shownSha256: otherTerms.sha256,
      typedName: 'Ada Lovelace',
      accepted: true,
      staffConfirmed: true,
    });
    await t.core.stripeShare.idle();
    const before = await storeFileText();
    for (const correctsConsentId of ['consent_nope', othersConsent.id]) {
      const result = await t.raw('consents.record', await acceptance({ correctsConsentId }));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('not_found');
    }
    expect(await storeFileText()).toBe(before);
  });
});
