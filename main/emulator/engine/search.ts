/**
 * Stripe Search Query Language, the subset the emulated searches need (Customers, PaymentIntents):
 *   email:'a@b.c'  name~'abc'  metadata['k']:'v'  -name:'x'  created>123  phone:null
 * up to 10 clauses joined by AND or OR (not both).
 */
import { invalid } from './errors.js';
import type { Obj } from './store.js';

interface Clause {
  field: string; // 'email' | 'metadata' | ...
  metaKey?: string;
  op: ':' | '~' | '>' | '<' | '>=' | '<=';
  value: string | number | null;
  negate: boolean;
}

export interface Query {
  clauses: Clause[];
  join: 'AND' | 'OR';
}

function bad(msg: string) {
  return invalid(`Invalid search query: ${msg}`, { param: 'query' });
}

export function parseQuery(q: string, fields: readonly string[], numericFields: readonly string[] = ['created']): Query {
  let i = 0;
  const n = q.length;
  const ws = () => {
    while (i < n && /\s/.test(q[i])) i++;
  };
  const readQuoted = (): string => {
    const quote = q[i];
    if (quote !== "'" && quote !== '"') throw bad(`expected a quoted value at position ${i}`);
    i++;
    let s = '';
    while (i < n && q[i] !== quote) {
      if (q[i] === '\\' && i + 1 < n) i++;
      s += q[i++];
    }
    if (i >= n) throw bad('unterminated string');
    i++;
    return s;
  };
  const clauses: Clause[] = [];
  const joins = new Set<string>();
  ws();
  if (i >= n) throw bad('the query is empty');
  while (i < n) {
    let negate = false;
    if (q[i] === '-') {
      negate = true;
      i++;
    }
    const m = /^[a-z_]+/.exec(q.slice(i));
    if (!m) throw bad(`expected a field name at position ${i}`);
    const field = m[0];
    i += field.length;
    if (!fields.includes(field)) throw bad(`the field '${field}' is not supported`);
    let metaKey: string | undefined;
    if (field === 'metadata') {
      if (q[i] !== '[') throw bad("metadata must be followed by ['key']");
      i++;
      metaKey = readQuoted();
      if (q[i] !== ']') throw bad("expected ']'");
      i++;
    }
    const opm = /^(>=|<=|:|~|>|<)/.exec(q.slice(i));
    if (!opm) throw bad(`expected an operator after '${field}'`);
    const op = opm[0] as Clause['op'];
    i += op.length;
    let value: string | number | null;
    if (q.startsWith('null', i)) {
      value = null;
      i += 4;
    } else if (/[0-9]/.test(q[i] ?? '')) {
      const num = /^\d+/.exec(q.slice(i))![0];
      value = Number(num);
      i += num.length;
    } else {
      value = readQuoted();
    }
    if (op === '~') {
      if (typeof value !== 'string' || value.length < 3) throw bad('substring matches (~) need at least 3 characters');
    }
    if (op !== ':' && op !== '~' && !numericFields.includes(field)) throw bad(`the operator ${op} is not supported for '${field}'`);
    clauses.push({ field, metaKey, op, value, negate });
    ws();
    if (i >= n) break;
    const jm = /^(AND|OR)\s/.exec(q.slice(i));
    if (!jm) throw bad(`expected AND or OR at position ${i}`);
    joins.add(jm[1]);
    i += jm[1].length;
    ws();
    if (i >= n) throw bad('the query ends with a conjunction');
  }
  if (joins.size > 1) throw bad('AND and OR cannot be combined in one query');
  if (clauses.length > 10) throw bad('at most 10 clauses are allowed');
  return { clauses, join: joins.has('OR') ? 'OR' : 'AND' };
}

function clauseMatches(o: Obj, c: Clause): boolean {
  const raw = c.field === 'metadata' ? o.metadata?.[c.metaKey!] : o[c.field];
  let r: boolean;
  if (c.value === null) r = raw === null || raw === undefined || raw === '';
  else if (typeof c.value === 'number') {
    const v = Number(raw);
    switch (c.op) {
      case '>': r = v > c.value; break;
      case '<': r = v < c.value; break;
      case '>=': r = v >= c.value; break;
      case '<=': r = v <= c.value; break;
      default: r = v === c.value;
    }
  } else if (raw === null || raw === undefined) r = false;
  else {
    const hay = String(raw).toLowerCase();
    const needle = c.value.toLowerCase();
    r = c.op === '~' ? hay.includes(needle) : hay === needle;
  }
  return c.negate ? !r : r;
}

export function matchesQuery(o: Obj, q: Query): boolean {
  return q.join === 'AND' ? q.clauses.every((c) => clauseMatches(o, c)) : q.clauses.some((c) => clauseMatches(o, c));
}
