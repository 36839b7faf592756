# Herald: a Matrix push gateway (APNs + FCM). Multi-stage: the build stage compiles with the
# dev dependencies; the runtime stage holds production dependencies, bin/ and dist/src only.
#
# No container engine runs in CI, so scripts/production-install-check.ts reproduces the runtime
# stage from this file's COPY lines (clean copy, `npm ci --omit=dev`, `herald serve`, /health).
# Keep COPY lines in the simple form `COPY [--from=build] SRC... DEST`: that check parses them.
#
# Mounts (see docs/operations.md):
#   /etc/herald/apps.config.json   the config; http.bind_addresses must be ["0.0.0.0"] in a
#                                  container, and metrics.bind_address "0.0.0.0" to be scraped
#   /etc/herald/secrets/           .p8 keys, APNs certificates, FCM service accounts (read-only);
#                                  reference them from the config as "secrets/<file>"

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HERALD_HEALTHCHECK_URL=http://127.0.0.1:5000/health
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
# Caps V8's old and young generations so that peak RSS stays under 150 MB at full load
# (docs/performance.md). Set after npm ci, which must not run under the cap. The push memory needs about 150 bytes per
# dedup.max_entries entry: raise the cap with max_entries well past its default of 100,000.
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
COPY bin ./bin
COPY --from=build /app/dist/src ./dist/src
# The node image's unprivileged user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 5000 9464
# Slim images have no curl; Node 20 has fetch. Change HERALD_HEALTHCHECK_URL with http.port.
HEALTHCHECK --interval=15s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.HERALD_HEALTHCHECK_URL).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/herald.js"]
CMD ["serve", "--config", "/etc/herald/apps.config.json"]
