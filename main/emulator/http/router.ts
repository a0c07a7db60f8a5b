/** Routes derived from the resources (localstripe's model): first match wins, in the resources' order. */
import type { Resource, Route } from '../engine/emulator.js';

interface CompiledRoute extends Route {
  re: RegExp;
}

export interface Router {
  find(method: string, path: string): { route: Route; params: string[] } | undefined;
}

export function createRouter(resources: readonly Resource[]): Router {
  const routes: CompiledRoute[] = resources.flatMap((r) => r.routes.map((route) => ({ ...route, re: new RegExp('^' + route.pattern.replace(/:[a-z_]+/g, '([^/]+)') + '$') })));
  return {
    find(method, path) {
      for (const route of routes) {
        if (route.method !== method) continue;
        const m = route.re.exec(path);
        if (m) return { route, params: m.slice(1) };
      }
      return undefined;
    },
  };
}
