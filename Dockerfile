# energy-monitor service image. Built by `docker-compose build` (docker-compose.yml: build: .).

# ---- build: install all dependencies, compile TypeScript, drop dev dependencies ----
FROM node:20-bookworm-slim AS build
# toolchain for native addons (better-sqlite3) when no prebuilt binary fits
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# sources (.dockerignore keeps tests, deployment files and local state out)
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HTTP_PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# non-TypeScript files the service reads at run time (coefficients, demo configuration)
COPY --from=build /app/config ./config
# the dashboard: its page and styles, and the TypeScript esbuild bundles on first request
COPY --from=build /app/services/http/dashboard/public ./services/http/dashboard/public
COPY --from=build /app/services/http/dashboard/client ./services/http/dashboard/client
RUN mkdir -p /data /config && chown node:node /data
# the node image's unprivileged user (uid 1000)
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/services/main.js"]
