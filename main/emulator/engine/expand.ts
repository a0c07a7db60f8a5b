/** Response expansion (`expand[]=a.b`, `data.` prefix on lists, max depth 4) and includable fields (registered by resources). */
import type { Emulator } from './emulator.js';
import { invalid } from './errors.js';
import type { Obj } from './store.js';
import { isPlainObject } from './util.js';

interface ExpandTree {
  [k: string]: ExpandTree;
}

export function expandResponse(em: Emulator, body: Obj, paths: readonly string[] | null | undefined): Obj {
  if (!paths || paths.length === 0) return body;
  const isList = body.object === 'list' || body.object === 'search_result';
  const tree: ExpandTree = {};
  for (const path of paths) {
    if (typeof path !== 'string' || !path) continue;
    const segs = path.split('.');
    const depth = isList && segs[0] === 'data' ? segs.length - 1 : segs.length;
    if (depth > 4) {
      throw invalid(`You cannot expand more than 4 levels of a property. Property: ${path}`, { param: 'expand' });
    }
    let node = tree;
    for (const s of segs) node = node[s] ??= {};
  }
  return apply(em, body, tree, '') as Obj;
}

function apply(em: Emulator, value: unknown, tree: ExpandTree, prefix: string): unknown {
  if (Array.isArray(value)) return value.map((v) => apply(em, v, tree, prefix));
  if (!isPlainObject(value)) return value;
  const copy: Obj = { ...value };
  for (const [key, sub] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    let v: unknown = copy[key];
    if (v === undefined) {
      v = em.includable(copy, key); // fields Stripe returns only when expanded
      if (v === undefined) throw invalid(`This property cannot be expanded (${path}).`, { param: 'expand' });
    } else if (typeof v === 'string') {
      const target = em.get(v);
      if (!target) throw invalid(`This property cannot be expanded (${path}).`, { param: 'expand' });
      v = target;
    }
    copy[key] = Object.keys(sub).length ? apply(em, v, sub, path) : v;
  }
  return copy;
}
