import type { Express } from "express";
import { routeTable } from "../http/route-table.js";

/**
 * "METHOD /path" for every route the app has, read from Express's own router, so the
 * OpenAPI document can be checked against what is really served.
 */
export function servedRoutes(app: Express): string[] {
  const found = routeTable(app).flatMap(({ paths, methods }) =>
    methods.flatMap((method) => paths.map((path) => `${method} ${path}`)),
  );
  return [...new Set(found)];
}
