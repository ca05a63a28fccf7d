import type { Express } from "express";

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  /** True when mounted at "/": only those routers' routes are the API's own paths. */
  slash?: boolean;
}

/**
 * "METHOD /path" for every route the app has, read from Express's own router, so the
 * OpenAPI document can be checked against what is really served. Routers mounted under a
 * path (the queue dashboard's UI) are not part of the API and are not listed.
 */
export function servedRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        // A route declared on several paths at once (the submit limiter) serves each of them.
        const paths = ([] as string[]).concat(layer.route.path);
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (!on || method === "_all") continue;
          for (const path of paths) found.push(`${method.toUpperCase()} ${path}`);
        }
      } else if (layer.handle?.stack && layer.slash) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...new Set(found)];
}
