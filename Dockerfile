# One image for the api and the workers (docker-compose.yml picks the entry point).
# tsx is a runtime dependency: the TypeScript sources run as they are. Only the web client
# is built, in a stage of its own, and its static files copied in.
FROM node:20-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY web ./web
COPY bin/build-web.ts ./bin/
RUN npx tsx bin/build-web.ts

FROM node:20-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app

# Dependencies first, so code changes reuse this layer. Native modules (argon2) ship
# prebuilt binaries for linux-x64/arm64 glibc, so no compiler and no install scripts are
# needed (ours, the web build, ran in the stage above).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Code stays owned by root (read-only for the app); only DATA_DIR is writable.
COPY . .
COPY --from=web /app/web/dist ./web/dist
RUN mkdir -p /app/data && chown node:node /app/data

USER node
EXPOSE 3000
CMD ["npm", "start"]
