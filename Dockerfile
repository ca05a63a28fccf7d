# syntax=docker/dockerfile:1
#
# The llm-chat images, one Dockerfile for both apps: APP names the one to build (api | worker).
# Build from the repository root (the build context is the whole workspace):
#   docker build --build-arg APP=api    -t llm-chat-api .
#   docker build --build-arg APP=worker -t llm-chat-worker .
# or through docker-compose.yml at the root (`docker compose up --build`), which sets APP per service.
# The two images differed only in the package built and in the API's port and health check, so
# they share every step but the last stage (runtime-api / runtime-worker below).

ARG NODE_IMAGE=node:20-bookworm-slim
# No default: an image built without APP would silently be one of the two.
ARG APP
# Debian (glibc), not Alpine: @node-rs/argon2 (API) and msgpackr-extract (under bullmq, worker)
# ship glibc prebuilt binaries.

# ---------------------------------------------------------------------------------------------
# build: install every workspace dependency, compile the app and its workspace packages, then
# lay out a self-contained production tree in /out.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
ARG APP
RUN case "${APP}" in api|worker) ;; *) echo "set --build-arg APP=api or APP=worker (got '${APP}')" >&2; exit 1 ;; esac
ARG PNPM_VERSION=10.34.9
# npm rather than corepack: the pinned pnpm comes straight from the registry, with none of
# corepack's signature-key mismatches on older Node 20 images.
RUN npm install -g "pnpm@${PNPM_VERSION}" && npm cache clean --force
# CI=true: pnpm never waits on a prompt (there is no TTY here); turbo stays quiet.
ENV CI=true \
    TURBO_TELEMETRY_DISABLED=1 \
    DO_NOT_TRACK=1
WORKDIR /repo

# Layer caching: `pnpm fetch` downloads every package named in the lockfile into pnpm's store,
# and needs nothing but the lockfile (plus the workspace/npm settings). This layer, the slow
# network part, is rebuilt only when those files change, not on every manifest or source edit,
# and it does not need every apps/*/package.json and packages/*/package.json listed by hand
# (a COPY glob would flatten them), so a newly added workspace package cannot be missed.
# It comes before anything that depends on APP, so both images share it.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch

# Sources (see /.dockerignore: no node_modules, dist, .turbo, .env, .git). The install is offline
# from the store filled above, so it only links, and fails if the lockfile is out of date.
COPY . .
RUN pnpm install --offline --frozen-lockfile

# The app and every workspace package it depends on, in dependency order.
RUN pnpm turbo run build --filter="@llm-chat/${APP}..."

# pnpm 10's default `pnpm deploy` requires inject-workspace-packages=true (a workspace-wide
# setting that changes the lockfile and how every workspace package is linked in development),
# so use the legacy implementation, which needs no such setting: it copies the app package
# into /out and installs its production dependencies there, with each @llm-chat/* workspace
# dependency copied in (not symlinked) from its package folder. Those packages have no "files"
# field, so the whole folder is copied, including the dist/ built just above; their exports
# point at dist/. /out then holds the app's dist/ and a node_modules/ of production deps only.
RUN pnpm deploy --filter="@llm-chat/${APP}" --prod --legacy /out \
 && test -f /out/dist/index.js \
 && test -f /out/node_modules/@llm-chat/store/dist/index.js

# ---------------------------------------------------------------------------------------------
# runtime: Node and the deployed tree, nothing else.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Files stay owned by root (read-only to the app); the process runs as the image's `node` user.
COPY --from=build /out /app
USER node
# Node runs as PID 1 and handles SIGTERM/SIGINT itself: the API's shutdown is bounded at 15 s;
# the worker's running jobs get WORKER_SHUTDOWN_TIMEOUT_MS (default 25 s) to finish, plus 5 s to
# close connections, so give worker containers a stop grace period of at least that
# (docker-compose.yml uses 35 s).
CMD ["node", "dist/index.js"]

FROM runtime AS runtime-api
# The default API_HOST (127.0.0.1) would be unreachable from outside the container.
ENV API_HOST=0.0.0.0 \
    API_PORT=3000
EXPOSE 3000
# Liveness through Node's own fetch (slim images have no curl/wget). It targets API_PORT on
# loopback, which a 0.0.0.0 listener answers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.API_PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

FROM runtime AS runtime-worker
# No EXPOSE and no image HEALTHCHECK: the worker's /metrics, /healthz and /readyz listen only when
# WORKER_METRICS_PORT is set, so the port is the deployment's choice (docker-compose.yml and
# deploy/k8s set 9464 and probe it themselves). The worker refuses to start without
# REPLICATE_API_TOKEN.

# The image built: the runtime stage of APP (BuildKit builds only the stages this one needs).
FROM runtime-${APP}
