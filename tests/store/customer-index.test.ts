/** The customer index's snapshot: blocks of columns, later rows replacing earlier ones, and the version-1 lines of earlier folders. */
import { describe, expect, it } from 'vitest';
import { CustomerIndex } from '../../main/core/customer-index';
import { CUSTOMER_DOC_VERSION, type CustomerDoc, type CustomerRecord } from '../../main/core/data';

const customer = (n: number, email = `c${n}@example.com`): CustomerRecord => ({
  id: `cust_${n}`,
  name: n % 2 ? `佐藤 太郎${n}` : `Ada Lovelace ${n}`,
  email,
  phone: `090-1234-${String(n).padStart(4, '0')}`,
  language: 'ja',
  stripeCustomerId: `cus_${n}`,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: { staffId: 'staff_1', name: 'Mina' },
});
const doc = (c: CustomerRecord, rev: number, openSetup = false): CustomerDoc =>
  ({
    schemaVersion: CUSTOMER_DOC_VERSION,
    rev,
    customer: c,
    consents: [],
    withdrawals: [],
    setups: openSetup ? [{ id: `set_1.${c.id}`, status: 'open', createdAt: '2026-01-02T00:00:00.000Z', finishedAt: null }] : [],
    savedMethods: [],
    charges: [],
    refunds: [],
    subscriptions: [],
  }) as unknown as CustomerDoc;

describe('the customer index snapshot', () => {
  it('round-trips every customer, search key and open work, in blocks', () => {
    const index = new CustomerIndex();
    for (let n = 0; n < 12_000; n++) index.commit(doc(customer(n), 2, n === 7));
    index.setLegacyOwner('chg_old1', 'cust_3');
    const lines = [...index.snapshot()];
    expect(lines).toHaveLength(3 * 2 + 1); // 5,000 rows a block of two lines, and the legacy owners
    const restored = new CustomerIndex();
    expect(restored.restore(lines.map((line) => Buffer.from(line)))).toEqual({ rows: 12_000, rewrite: false });
    expect(restored.size).toBe(12_000);
    expect(restored.customer('cust_11999')).toEqual(customer(11_999));
    expect(restored.search('佐藤太郎11', 3).map((c) => c.id)).toEqual(index.search('佐藤太郎11', 3).map((c) => c.id));
    expect(restored.search('09012340007', 5).map((c) => c.id)).toEqual(['cust_7']);
    expect(restored.openWork('setup')).toEqual([{ kind: 'setup', id: 'set_1.cust_7', customerId: 'cust_7', status: 'open' }]);
    expect(restored.ownerOf('chg_old1')).toBe('cust_3');
    expect(restored.ownerOf('chg_x.cust_5')).toBe('cust_5');
  });

  it('a later row replaces the earlier one: its old e-mail and finished work are gone', () => {
    const index = new CustomerIndex();
    index.commit(doc(customer(1), 1, true));
    const first = [...index.snapshot()];
    index.commit(doc(customer(1, 'new@example.com'), 2, false));
    const appended = [...index.snapshot(['cust_1'])];
    const restored = new CustomerIndex();
    restored.restore([...first, ...appended]);
    expect(restored.size).toBe(1);
    expect(restored.rev('cust_1')).toBe(2);
    expect(restored.customerByEmail('c1@example.com')).toBeNull();
    expect(restored.customerByEmail('new@example.com')?.id).toBe('cust_1');
    expect(restored.openWork()).toEqual([]);
  });

  it('reads the one-object-per-line snapshot of the previous version', () => {
    const c = customer(4);
    const lines = [
      JSON.stringify({ c, r: 3, t: '2026-02-01T00:00:00.000Z', o: [['charge', 'chg_1.cust_4', 'pending']], k: [1, 'adalovelace4', '9012340004'] }),
      JSON.stringify({ l: ['set_legacy', 'cust_4'] }),
    ];
    const restored = new CustomerIndex();
    expect(restored.restore(lines)).toEqual({ rows: 1, rewrite: true }); // written afresh at the next checkpoint
    expect(restored.customer('cust_4')).toEqual(c);
    expect(restored.rev('cust_4')).toBe(3);
    expect(restored.openWork('charge').map((w) => w.id)).toEqual(['chg_1.cust_4']);
    expect(restored.ownerOf('set_legacy')).toBe('cust_4');
    expect(restored.search('ada lovelace', 5)).toHaveLength(1);
  });

  it('refuses a block whose columns do not line up', () => {
    const index = new CustomerIndex();
    index.commit(doc(customer(1), 1));
    const lines = [...index.snapshot()];
    const block = JSON.parse(lines[0]) as { s: { email: string } };
    block.s.email += '\ufdd0extra@example.com';
    expect(() => new CustomerIndex().restore([JSON.stringify(block), lines[1]])).toThrow(/columns/);
  });

  it('parses the shown columns of a block only when one of its customers is shown, and never gives a replaced row old ones', () => {
    const index = new CustomerIndex();
    for (let n = 0; n < 3; n++) index.commit(doc(customer(n), 1));
    const first = [...index.snapshot()];
    index.commit(doc({ ...customer(1), name: 'Renamed Person' }, 2));
    const appended = [...index.snapshot(['cust_1'])];
    const restored = new CustomerIndex();
    const shownLine = first[1];
    const parse = JSON.parse;
    const parsed: string[] = [];
    JSON.parse = ((text: string, ...rest: never[]) => (parsed.push(text), parse(text, ...rest))) as typeof JSON.parse;
    try {
      restored.restore([...first, ...appended].map((line) => Buffer.from(line)));
      expect(parsed).not.toContain(shownLine); // not at start
      expect(restored.search('renamed', 5).map((c) => c.name)).toEqual(['Renamed Person']);
      expect(restored.customer('cust_2')).toEqual(customer(2));
      expect(parsed.filter((text) => text === shownLine)).toHaveLength(1); // once, when first needed
      expect(restored.customer('cust_1')?.name).toBe('Renamed Person');
      expect(restored.search('佐藤', 5).map((c) => c.id)).toEqual([]); // cust_1's old name is not searched
    } finally {
      JSON.parse = parse;
    }
  });

  it('fills the shown columns in the background after start, a block per turn, and stops when told', async () => {
    const index = new CustomerIndex();
    for (let n = 0; n < 12_000; n++) index.commit(doc(customer(n), 1)); // three blocks
    const first = [...index.snapshot()];
    index.commit(doc({ ...customer(7), name: 'Renamed Person' }, 2));
    const appended = [...index.snapshot(['cust_7'])];
    const lines = [...first, ...appended].map((line) => Buffer.from(line));
    const shownLines = new Set([first[1], first[3], first[5], appended[1]]);
    const parse = JSON.parse;
    const parsed: string[] = [];
    JSON.parse = ((text: string, ...rest: never[]) => (parsed.push(text), parse(text, ...rest))) as typeof JSON.parse;
    try {
      const stoppedEarly = new CustomerIndex();
      stoppedEarly.restore(lines);
      let turns = 0;
      await stoppedEarly.fillShown(() => ++turns > 1);
      expect(parsed.filter((text) => shownLines.has(text))).toHaveLength(1);

      parsed.length = 0;
      const restored = new CustomerIndex();
      restored.restore(lines);
      await restored.fillShown(() => false);
      expect(parsed.filter((text) => shownLines.has(text))).toHaveLength(4); // each block's second line, once
      parsed.length = 0;
      expect(restored.customer('cust_7')?.name).toBe('Renamed Person');
      expect(restored.customer('cust_11999')).toEqual(customer(11999));
      expect(parsed.filter((text) => shownLines.has(text))).toHaveLength(0); // nothing left to parse when shown
    } finally {
      JSON.parse = parse;
    }
  });

  it('refuses a second line that was changed, and asks to rewrite after a block cut off after its first line', () => {
    const index = new CustomerIndex();
    index.commit(doc(customer(1), 1));
    const [hot, shown] = [...index.snapshot()];
    expect(() => new CustomerIndex().restore([hot, shown.replace('Mina', 'Mino')])).toThrow(/shown columns/);
    expect(() => new CustomerIndex().restore([shown])).toThrow(/no block before it/);
    const cutOff = new CustomerIndex();
    const earlier = new CustomerIndex();
    earlier.commit(doc(customer(2), 1));
    expect(cutOff.restore([...earlier.snapshot(), hot])).toEqual({ rows: 1, rewrite: true });
    expect(cutOff.has('cust_1')).toBe(false);
    expect(cutOff.customer('cust_2')).toEqual(customer(2));
  });

  it('stores a column as one joined string, and as an array where a value holds the separator', () => {
    const index = new CustomerIndex();
    index.commit(doc(customer(1), 1));
    index.commit(doc({ ...customer(2), name: 'Odd \ufdd0 Name' }, 1));
    const lines = [...index.snapshot()];
    const block = JSON.parse(lines[0]) as { v: number; s: Record<string, unknown> };
    const shown = JSON.parse(lines[1]) as { s: Record<string, unknown> };
    expect(block.v).toBe(3);
    expect(block.s.email).toBe('c1@example.com\ufdd0c2@example.com');
    expect(shown.s.name).toEqual(['佐藤 太郎1', 'Odd \ufdd0 Name']);
    const restored = new CustomerIndex();
    expect(restored.restore(lines)).toEqual({ rows: 2, rewrite: false });
    expect(restored.customer('cust_2')?.name).toBe('Odd \ufdd0 Name');
    expect(restored.customer('cust_1')).toEqual(customer(1));
  });

  it('recomputes the search keys of a block written with an older version of them, from the name and phone', () => {
    const index = new CustomerIndex();
    index.commit(doc(customer(5), 1));
    const [hot, shown] = [...index.snapshot()];
    const block = JSON.parse(hot) as { kv: number; s: { n: string; p: string } };
    block.kv = 0;
    block.s.n = 'stale-name-key';
    block.s.p = '000';
    const restored = new CustomerIndex();
    expect(restored.restore([JSON.stringify(block), shown])).toEqual({ rows: 1, rewrite: true });
    expect(restored.search('090 1234 0005', 5).map((c) => c.id)).toEqual(['cust_5']);
    expect(restored.search('佐藤太郎5', 5).map((c) => c.id)).toEqual(['cust_5']);
    expect(restored.search('stale', 5)).toEqual([]);
  });

  it('reads the blocks of arrays of the previous version, and asks for them to be written afresh', () => {
    const c = customer(3);
    const v2 = { v: 2, kv: 1, id: [c.id], name: [c.name], email: [c.email], phone: [c.phone], lang: ['ja'], stripe: [c.stripeCustomerId], created: [c.createdAt], byId: ['staff_1'], byName: ['Mina'], x: [0], n: ['佐藤太郎3'], p: ['9012340003'], r: [5], t: ['2026-03-01T00:00:00.000Z'], o: [[['refund', 'ref_1.cust_3', 'pending']]] };
    const restored = new CustomerIndex();
    expect(restored.restore([JSON.stringify(v2)])).toEqual({ rows: 1, rewrite: true });
    expect(restored.customer(c.id)).toEqual(c);
    expect(restored.rev(c.id)).toBe(5);
    expect(restored.openWork('refund').map((w) => w.id)).toEqual(['ref_1.cust_3']);
    expect(restored.search('090-1234-0003', 5).map((r) => r.id)).toEqual([c.id]);
  });
});
