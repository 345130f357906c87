# syntax=docker/dockerfile:1
#
# slo-engine container image (docs/deploy.md).
#
#   docker build -t slo-engine:0.1.0 .
#   docker run --rm -p 8080:8080 slo-engine:0.1.0            # bundled example config, in-memory state
#
# Three stages: `deps` installs the production dependencies only, `build` installs everything and
# runs `npm run build` (dist/ and the board's bundle web/dist/), and the runtime stage takes from
# them only what `node dist/main.js` reads. test/e2e/deploy-dockerfile.e2e.spec.ts parses this file
# and runs the service from exactly the paths the runtime stage's COPY lines name.

ARG NODE_IMAGE=node:22-bookworm-slim

# --- production node_modules ------------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the only production dependency with an install script is @scarf/scarf
# (an analytics ping of swagger-ui-dist); nothing native is built.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- compile the service and bundle the board -------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY scripts/build-web.js ./scripts/build-web.js
COPY src ./src
COPY web/src ./web/src
COPY web/tsconfig.json ./web/tsconfig.json
RUN npm run build

# --- runtime: only what runs ------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Everything stays owned by root and read-only to the service's user: the service writes nothing
# to disk (state is in Redis or in memory, logs go to stdout), so a read-only root filesystem works.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY package.json ./
# the bundled example config: used when CONFIG_FILE is not set (docker run, docker compose)
COPY config ./config
# the official image's `node` user, written as numbers so that Kubernetes' runAsNonRoot can verify it
USER 1000:1000
EXPOSE 8080
# Slim images have no curl: Node's global fetch asks /healthz (liveness: the process answers).
# PORT is the service's own variable (default 8080); a port set only in the config's `server.port`
# is not seen here, so set PORT instead when you change it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (it stops taking requests, lets the running
# cycle finish or abandons it at 9 s, and exits 0 within 10 s; SIGHUP reloads the config). No npm
# in between: npm does not forward signals reliably.
CMD ["node", "dist/main.js"]
