/**
 * Form/query parsing with Stripe's bracket syntax, and a tiny schema validator that
 * rejects unknown parameters the way Stripe does.
 */
import { invalid, missingParam, unknownParam } from './errors.js';

export type Tree = string | { [k: string]: Tree };
export type TreeObj = { [k: string]: Tree };

function decode(s: string): string {
  const plus = s.indexOf('+') >= 0 ? s.replace(/\+/g, ' ') : s;
  if (plus.indexOf('%') < 0) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    throw invalid('Invalid URL encoding in request parameters.');
  }
}

/** Parse `a[b][0][c]=v&expand[]=x&expand[0]=y` into nested objects (arrays stay index-keyed objects). */
export function parseForm(input: string): TreeObj {
  const root: TreeObj = Object.create(null);
  if (!input) return root;
  for (const part of input.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1));
    const b = rawKey.indexOf('[');
    const head = b < 0 ? rawKey : rawKey.slice(0, b);
    if (!head) continue;
    const segs: string[] = [];
    if (b >= 0) {
      const re = /\[([^\]]*)\]/g;
      let m: RegExpExecArray | null;
      let consumed = b;
      re.lastIndex = b;
      while ((m = re.exec(rawKey)) && m.index === consumed) {
        segs.push(m[1]);
        consumed = re.lastIndex;
      }
      if (consumed !== rawKey.length) throw invalid(`Invalid parameter name: ${rawKey}`, { param: rawKey });
    }
    let node: TreeObj = root;
    let key = head;
    for (const seg of segs) {
      let child = node[key];
      if (typeof child !== 'object') {
        child = Object.create(null) as TreeObj;
        node[key] = child;
      }
      node = child;
      key = seg === '' ? String(Object.keys(node).length) : seg;
    }
    node[key] = value;
  }
  return root;
}

// ---------------------------------------------------------------- schema

export type Spec =
  | { k: 'str'; enum?: readonly string[]; max?: number; req?: boolean }
  | { k: 'int'; min?: number; max?: number; req?: boolean }
  | { k: 'bool'; req?: boolean }
  | { k: 'boolOrStr'; enum: readonly string[]; req?: boolean }
  | { k: 'meta'; req?: boolean }
  | { k: 'arr'; of: Spec; req?: boolean; max?: number }
  | { k: 'obj'; props: Props; req?: boolean }
  | { k: 'strOrObj'; props: Props; req?: boolean }
  | { k: 'range'; req?: boolean }
  | { k: 'any'; req?: boolean };
export type Props = Record<string, Spec>;

export const S = {
  str: (o: { enum?: readonly string[]; max?: number } = {}): Spec => ({ k: 'str', ...o }),
  int: (o: { min?: number; max?: number } = {}): Spec => ({ k: 'int', ...o }),
  bool: (): Spec => ({ k: 'bool' }),
  boolOrStr: (values: readonly string[]): Spec => ({ k: 'boolOrStr', enum: values }),
  meta: (): Spec => ({ k: 'meta' }),
  arr: (of: Spec, max?: number): Spec => ({ k: 'arr', of, max }),
  obj: (props: Props): Spec => ({ k: 'obj', props }),
  strOrObj: (props: Props): Spec => ({ k: 'strOrObj', props }),
  range: (): Spec => ({ k: 'range' }),
  any: (): Spec => ({ k: 'any' }),
  req: (s: Spec): Spec => ({ ...s, req: true }),
};

/** Marker for a parameter sent as the empty string ("unset it"). */
const UNSET = null;

function pathOf(parent: string, key: string): string {
  return parent ? `${parent}[${key}]` : key;
}

function emptyNotAllowed(path: string) {
  return invalid(
    `You passed an empty string for '${path}'. We assume empty values are an attempt to unset a parameter; however '${path}' cannot be unset. You should remove '${path}' from your request or supply a non-empty value.`,
    { code: 'parameter_invalid_empty', param: path },
  );
}

const INT_RE = /^-?\d+$/;

function validate(spec: Spec, v: Tree, path: string): unknown {
  switch (spec.k) {
    case 'any':
      return v;
    case 'str': {
      if (typeof v !== 'string') throw invalid(`Invalid string: ${path} must be a string`, { param: path });
      if (v === '') {
        if (spec.req) throw emptyNotAllowed(path);
        return UNSET;
      }
      if (spec.enum && !spec.enum.includes(v)) {
        throw invalid(`Invalid ${path}: must be one of ${spec.enum.join(', ')}`, { param: path });
      }
      if (spec.max !== undefined && v.length > spec.max) {
        throw invalid(`Invalid ${path}: must be at most ${spec.max} characters`, { param: path });
      }
      return v;
    }
    case 'int': {
      if (typeof v !== 'string') throw invalid(`Invalid integer: ${path}`, { code: 'parameter_invalid_integer', param: path });
      if (v === '') {
        if (spec.req) throw emptyNotAllowed(path);
        return UNSET;
      }
      if (!INT_RE.test(v)) throw invalid(`Invalid integer: ${v}`, { code: 'parameter_invalid_integer', param: path });
      const n = Number(v);
      if (!Number.isSafeInteger(n)) throw invalid(`Invalid integer: ${v}`, { code: 'parameter_invalid_integer', param: path });
      if (spec.min !== undefined && n < spec.min) {
        throw invalid(`This value must be greater than or equal to ${spec.min}.`, { code: 'parameter_invalid_integer', param: path });
      }
      if (spec.max !== undefined && n > spec.max) {
        throw invalid(`This value must be less than or equal to ${spec.max}.`, { code: 'parameter_invalid_integer', param: path });
      }
      return n;
    }
    case 'bool': {
      if (v === 'true') return true;
      if (v === 'false') return false;
      if (v === '' && !spec.req) return UNSET;
      throw invalid(`Invalid boolean: ${typeof v === 'string' ? v : '(object)'}`, { param: path });
    }
    case 'boolOrStr': {
      if (v === 'true') return true;
      if (v === 'false') return false;
      if (typeof v === 'string' && spec.enum.includes(v)) return v;
      throw invalid(`Invalid ${path}: must be a boolean or one of ${spec.enum.join(', ')}`, { param: path });
    }
    case 'meta':
      return validateMetadata(v, path);
    case 'range': {
      if (typeof v === 'string') return validate({ k: 'int' }, v, path);
      const out: Record<string, number> = {};
      for (const [k, val] of Object.entries(v)) {
        if (!['gt', 'gte', 'lt', 'lte'].includes(k)) throw unknownParam(pathOf(path, k));
        out[k] = validate({ k: 'int', req: true }, val, pathOf(path, k)) as number;
      }
      return out;
    }
    case 'arr': {
      if (v === '') {
        if (spec.req) throw emptyNotAllowed(path);
        return UNSET;
      }
      if (typeof v === 'string') throw invalid(`Invalid array`, { param: path });
      const keys = Object.keys(v);
      if (!keys.every((k) => /^\d+$/.test(k))) throw invalid(`Invalid array`, { param: path });
      keys.sort((a, b) => Number(a) - Number(b));
      if (spec.max !== undefined && keys.length > spec.max) {
        throw invalid(`Invalid array: ${path} can have at most ${spec.max} elements`, { param: path });
      }
      return keys.map((k, i) => validate(spec.of, v[k], `${path}[${i}]`));
    }
    case 'strOrObj':
      if (typeof v === 'string') return v === '' ? UNSET : v;
      return validateProps(spec.props, v, path);
    case 'obj': {
      if (v === '') {
        if (spec.req) throw emptyNotAllowed(path);
        return UNSET;
      }
      if (typeof v === 'string') throw invalid(`Invalid object`, { param: path });
      return validateProps(spec.props, v, path);
    }
  }
}

function validateMetadata(v: Tree, path = 'metadata'): Record<string, string> | null {
  if (v === '') return UNSET;
  if (typeof v === 'string') throw invalid('Invalid object', { param: path });
  const keys = Object.keys(v);
  if (keys.length > 50) {
    throw invalid('You can have up to 50 metadata keys; you passed ' + keys.length + '.', { param: path });
  }
  const out: Record<string, string> = {};
  for (const k of keys) {
    const val = v[k];
    if (typeof val !== 'string') {
      throw invalid(`Invalid value for metadata key '${k}': metadata values must be strings`, { param: pathOf(path, k) });
    }
    if (k.length > 40) {
      throw invalid(`Metadata keys can have up to 40 characters, but you passed in a key that is ${k.length} characters. Invalid key: ${k}`, { param: pathOf(path, k) });
    }
    if (/[[\]]/.test(k)) throw invalid(`Metadata keys may not contain '[' or ']'. Invalid key: ${k}`, { param: pathOf(path, k) });
    if (val.length > 500) {
      throw invalid(`Metadata values can have up to 500 characters, but you passed in a value that is ${val.length} characters. Invalid value: ${val.slice(0, 40)}...`, { param: pathOf(path, k) });
    }
    out[k] = val;
  }
  return out;
}

/** `shared` holds optional params every caller accepts besides its own `props` (no copy of `props` per request). */
function validateProps(props: Props, v: TreeObj, path: string, shared?: Props): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const spec = props[key] ?? shared?.[key];
    if (!spec) throw unknownParam(pathOf(path, key));
    out[key] = validate(spec, v[key], pathOf(path, key));
  }
  for (const [key, spec] of Object.entries(props)) {
    if (spec.req && !(key in v)) throw missingParam(pathOf(path, key));
  }
  return out;
}

const EXPAND: Props = { expand: S.arr(S.str()) };

/** Validate top-level params; `expand` is always allowed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- validated request params are dynamic by nature
export function parseParams<T = Record<string, any>>(tree: TreeObj, props: Props): T {
  return validateProps(props, tree, '', EXPAND) as T;
}

const LIST_PROPS: Props = {
  ...EXPAND,
  limit: S.int(),
  starting_after: S.str(),
  ending_before: S.str(),
  created: S.range(),
};

/** Validate the params of a list endpoint: pagination, `created` and `expand`, plus the endpoint's filters. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- validated request params are dynamic by nature
export function parseListParams<T = Record<string, any>>(tree: TreeObj, filters: Props): T {
  return validateProps(filters, tree, '', LIST_PROPS) as T;
}

/** Merge metadata updates: '' clears all; a '' value removes that key. */
export function mergeMetadata(current: Record<string, string> | null, update: Record<string, string> | null | undefined): Record<string, string> {
  if (update === undefined) return current ?? {};
  if (update === null) return {};
  const out = { ...(current ?? {}) };
  for (const [k, v] of Object.entries(update)) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  if (Object.keys(out).length > 50) throw invalid('You can have up to 50 metadata keys.', { param: 'metadata' });
  return out;
}

export function createMetadata(m: Record<string, string> | null | undefined): Record<string, string> {
  if (!m) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) if (v !== '') out[k] = v;
  return out;
}
