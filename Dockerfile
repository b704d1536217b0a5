# energy-monitor service image. Built by `docker compose up -d --build` (docker-compose.yml: build: .).
# Node 24: the active LTS line (Node 20 reached its end of life in 2026-04).

# ---- build: install all dependencies, compile TypeScript, drop dev dependencies ----
FROM node:24-bookworm-slim AS build
# toolchain for native addons (better-sqlite3) when no prebuilt binary fits; stays in this stage
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# sources (.dockerignore keeps tests, deployment files and local state out)
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 # native build leftovers: objects, static libraries, sources and test addons of better-sqlite3;
 # only build/Release/better_sqlite3.node is loaded at run time
 && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
      node_modules/better-sqlite3/build/Release/obj node_modules/better-sqlite3/build/Release/obj.target \
      node_modules/better-sqlite3/build/Release/.deps node_modules/better-sqlite3/build/Release/test_extension.node \
 && find node_modules -name '*.a' -delete \
 && node -e "require('better-sqlite3')(':memory:').prepare('select 1').get()"

# ---- runtime ----
FROM node:24-bookworm-slim
# The PDF report embeds a CJK font found among the Debian font packages
# (services/reports/render/pdf.ts, DEFAULT_CJK_FONTS): without it the monthly report fails.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*
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
# Build-time check: the renderer's own font lookup finds the font and pdfkit embeds Chinese text
# with it, so a missing or unreadable font fails the build, not the first monthly report.
RUN node -e " \
  const { findCjkFont } = require('./dist/services/reports/render/pdf.js'); \
  const PDFDocument = require('pdfkit'); \
  const font = findCjkFont(); \
  const doc = new PDFDocument(); \
  doc.registerFont('cjk', font.path, font.family); \
  doc.font('cjk').text('能耗在线监测'); \
  doc.end(); \
  console.log('PDF report font: ' + font.path);"
RUN mkdir -p /data /config && chown node:node /data
# the node image's unprivileged user (uid 1000)
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/services/main.js"]
