/** The pure helpers behind the counter and back-office screens (issue 9). */
import { describe, expect, it } from 'vitest';
import { calls, CHANNELS, type AuditEntryView, type ChargeView, type RefundView } from '../../preload/contract';
import { en as enDictionary } from '../../renderer/i18n/en';
import { ja as jaDictionary } from '../../renderer/i18n/ja';
import { translator } from '../../renderer/i18n/translate';
import { AUDIT_ACTIONS, auditActionLabel, ledgerLine } from '../../renderer/lib/audit';
import { identicalRecentCharge, IDENTICAL_CHARGE_WINDOW_MS } from '../../renderer/lib/charges';
import { chargeDisplayStatus, newRefundOf } from '../../renderer/lib/describe';

const en = translator('en');
const ja = translator('ja');
const NOW = Date.parse('2026-12-01T10:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

function refund(p: Partial<RefundView>): RefundView {
  return {
    id: 'rfnd_1',
    chargeId: 'chg_1',
    amount: 1000,
    currency: 'eur',
    reason: 'requested_by_customer',
    note: '',
    status: 'succeeded',
    stripeRefundId: 're_1',
    failure: null,
    createdAt: minutesAgo(1),
    createdBy: { staffId: 'staff_1', name: 'Mika' },
    ...p,
  };
}

function charge(p: Partial<ChargeView>): ChargeView {
  return {
    id: 'chg_1',
    customerId: 'cust_1',
    consentId: 'consent_1',
    paymentMethodId: 'pm_1',
    amount: 4250,
    currency: 'eur',
    description: 'Cleaning',
    status: 'succeeded',
    idempotencyKey: 'k',
    paymentIntentId: 'pi_1',
    failure: null,
    createdAt: minutesAgo(3),
    finishedAt: minutesAgo(3),
    createdBy: { staffId: 'staff_1', name: 'Mika' },
    refundedAmount: 0,
    refunds: [],
    subscriptionId: null,
    receiptNumber: null,
    origin: null,
    ...p,
  };
}

describe('a charge’s status line', () => {
  it('reads Refunded / Partly refunded only from refunds that went through', () => {
    expect(chargeDisplayStatus(charge({}))).toBe('succeeded');
    expect(chargeDisplayStatus(charge({ refunds: [refund({ amount: 1000 })] }))).toBe('partly_refunded');
    expect(chargeDisplayStatus(charge({ refunds: [refund({ amount: 1000 }), refund({ id: 'rfnd_2', amount: 3250 })] }))).toBe('refunded');
    // a refund still processing or one that failed does not make the charge "refunded"
    expect(chargeDisplayStatus(charge({ refunds: [refund({ amount: 4250, status: 'processing' })] }))).toBe('succeeded');
    expect(chargeDisplayStatus(charge({ refunds: [refund({ amount: 4250, status: 'failed' })] }))).toBe('succeeded');
    expect(chargeDisplayStatus(charge({ status: 'declined' }))).toBe('declined');
    expect(en('chargeStatus.partly_refunded')).toBe('Partly refunded');
    expect(ja('chargeStatus.refunded')).toBe('返金済み');
  });

  it('finds the refund an answer is about: the new one, or for a repeat the newest', () => {
    const old = refund({ id: 'rfnd_old', createdAt: minutesAgo(9) });
    const fresh = refund({ id: 'rfnd_new', createdAt: minutesAgo(0) });
    expect(newRefundOf([old], [old, fresh])?.id).toBe('rfnd_new');
    expect(newRefundOf([old, fresh], [fresh, old])?.id).toBe('rfnd_new');
    expect(newRefundOf([], [])).toBeNull();
  });
});

describe('the identical-charge warning', () => {
  const next = { amount: 4250, currency: 'eur' as const, description: 'Cleaning' };

  it('finds the same amount, currency and description made in the last 10 minutes', () => {
    const found = identicalRecentCharge([charge({ id: 'chg_a', createdAt: minutesAgo(2) }), charge({ id: 'chg_b', createdAt: minutesAgo(1) })], next, NOW);
    expect(found?.id).toBe('chg_b'); // the newest
    // spacing and case of the description do not make it a different charge
    expect(identicalRecentCharge([charge({ description: '  cleaning ' })], next, NOW)).not.toBeNull();
  });

  it('ignores older charges, other amounts, currencies or descriptions, and attempts that took no money', () => {
    expect(IDENTICAL_CHARGE_WINDOW_MS).toBe(600_000);
    expect(identicalRecentCharge([charge({ createdAt: minutesAgo(11) })], next, NOW)).toBeNull();
    expect(identicalRecentCharge([charge({ amount: 4251 })], next, NOW)).toBeNull();
    expect(identicalRecentCharge([charge({ currency: 'usd' })], next, NOW)).toBeNull();
    expect(identicalRecentCharge([charge({ description: 'Ironing' })], next, NOW)).toBeNull();
    expect(identicalRecentCharge([charge({ status: 'declined' })], next, NOW)).toBeNull();
    expect(identicalRecentCharge([charge({ status: 'pending' })], next, NOW)).not.toBeNull();
  });

  it('counts a charge dated after this screen’s clock (the training clock was advanced)', () => {
    expect(identicalRecentCharge([charge({ createdAt: new Date(NOW + 30 * 86_400_000).toISOString() })], next, NOW)).not.toBeNull();
  });
});

describe('the audit log as a ledger', () => {
  const entry = (p: Partial<AuditEntryView>): AuditEntryView => ({
    seq: 1,
    at: minutesAgo(1),
    actor: { staffId: 'staff_1', name: 'Mika', role: 'manager' },
    action: 'charges.create',
    outcome: 'ok',
    customerId: 'cust_1',
    summary: 'charges.create',
    details: { input: { amount: 4250, currency: 'eur', description: 'Cleaning' }, result: { id: 'chg_1', status: 'declined' } },
    hash: 'h',
    prevHash: 'p',
    ...p,
  });
  const alice = { name: 'Alice Example', charges: [{ id: 'chg_1', currency: 'eur' as const }] };

  it('lists every changing call of the contract, each with a label in English and Japanese', () => {
    const changing = CHANNELS.filter((c) => calls[c].mutates);
    expect(AUDIT_ACTIONS).toEqual(expect.arrayContaining(changing));
    for (const action of AUDIT_ACTIONS) {
      expect(enDictionary).toHaveProperty(`auditAction.${action}`);
      expect(jaDictionary).toHaveProperty(`auditAction.${action}`);
    }
    expect(auditActionLabel(en, 'refunds.create')).toBe('Refund');
    expect(auditActionLabel(ja, 'consents.withdraw')).toBe('同意を撤回');
    expect(auditActionLabel(en, 'something.new')).toBe('something.new'); // unknown: as main spelled it
  });

  it('says what happened, to whom, for how much, and how it ended', () => {
    expect(ledgerLine(en, 'en', entry({}), alice)).toBe('Charge of €42.50 to Alice Example — Declined');
    expect(ledgerLine(ja, 'ja', entry({ details: { input: { amount: 4250, currency: 'jpy' }, result: { status: 'succeeded' } } }), { name: '山田 花子', charges: [] })).toBe(
      '山田 花子 様への ￥4,250 の請求 — 完了',
    );
    // a refund's currency comes from its charge
    expect(ledgerLine(en, 'en', entry({ action: 'refunds.create', details: { input: { chargeId: 'chg_1', amount: 1000 } } }), alice)).toBe('Refund of €10.00 to Alice Example');
    // a refused call says so, with its code
    expect(ledgerLine(en, 'en', entry({ outcome: 'refused', details: { code: 'forbidden_role', input: { amount: 4250, currency: 'eur' } } }), alice)).toBe(
      'Charge of €42.50 to Alice Example — Refused (forbidden_role)',
    );
    // a new customer's name is in the entry itself; an unknown customer shows a short id
    expect(ledgerLine(en, 'en', entry({ action: 'customers.create', details: { input: { name: 'Brian' } } }), null)).toBe('New customer Brian');
    expect(ledgerLine(en, 'en', entry({ action: 'setups.start', customerId: 'cust_0123456789abcdef', details: {} }), null)).toBe('Amazon Pay setup started — cust_0123456…');
    expect(ledgerLine(en, 'en', entry({ action: 'auth.signIn', customerId: null, details: {} }), null)).toBe('Signed in');
  });
});
