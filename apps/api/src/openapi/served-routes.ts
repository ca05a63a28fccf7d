import type { Express } from "express";

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
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
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== "_all") found.push(`${method.toUpperCase()} ${layer.route.path}`);
        }
      } else if (layer.handle?.stack && layer.slash) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...new Set(found)];
}
