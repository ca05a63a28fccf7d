import { fileURLToPath } from "node:url";
import express, { type Router } from "express";
import helmet from "helmet";

/**
 * The browser playground: static files, no build step. The same relative path reaches
 * apps/api/public/playground/ from src/playground/ (tests) and from dist/playground/ (the
 * build), and `pnpm deploy` copies public/ into the image with the rest of the package.
 */
const PUBLIC_DIR = fileURLToPath(new URL("../../public/playground/", import.meta.url));

/** Mounted at /playground before authentication: the page holds no data, the key stays in the browser. */
export function playground(): Router {
  const router = express.Router();
  // Stricter than the API-wide default: only this origin's own script, style and API calls.
  router.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          "default-src": ["'none'"],
          "script-src": ["'self'"],
          "style-src": ["'self'"],
          "connect-src": ["'self'"],
          "img-src": ["'self'", "data:"],
          "base-uri": ["'none'"],
          "form-action": ["'none'"],
          "frame-ancestors": ["'none'"],
        },
      },
    }),
  );
  // /playground redirects to /playground/ so the page's relative links resolve inside it.
  router.use(express.static(PUBLIC_DIR, { index: "index.html", redirect: true }));
  return router;
}
