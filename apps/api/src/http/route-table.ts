import type { Express } from "express";

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  /** True when mounted at "/": only those routers' routes are the API's own paths. */
  slash?: boolean;
  /** Express's own matcher for this layer's path(s): the same test routing applies. */
  match?: (path: string) => unknown;
}

/** One route as Express holds it: its path(s), its methods, and Express's matcher for it. */
export interface ServedRoute {
  paths: string[];
  methods: string[];
  matches(path: string): boolean;
}

/**
 * Every route the app has, read from Express's own router stack. Routers mounted under a
 * path (the queue dashboard, Swagger UI, the playground) are not part of the API and are
 * not walked. Read it after every route is added: the stack is what it is at call time.
 */
export function routeTable(app: Express): ServedRoute[] {
  const found: ServedRoute[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      const { route } = layer;
      if (route) {
        const methods = Object.entries(route.methods)
          .filter(([method, on]) => on && method !== "_all")
          .map(([method]) => method.toUpperCase());
        found.push({
          // A route declared on several paths at once (the submit limiter) serves each of them.
          paths: ([] as string[]).concat(route.path),
          methods,
          matches: (path) => {
            try {
              return Boolean(layer.match?.(path));
            } catch {
              // A path Express cannot decode never reached this route either.
              return false;
            }
          },
        });
      } else if (layer.handle?.stack && layer.slash) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}
