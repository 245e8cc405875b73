# syntax=docker/dockerfile:1
# Account Lockdown: one image for the API, the worker and the migration job (the command
# differs). Build: docker build -t account-lockdown .

ARG NODE_VERSION=20.20

# --- build: full dependencies, the Prisma client and the workflow bundle ---
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` runs the postinstall (prisma generate), which needs the schema and its script.
COPY prisma.config.ts tsconfig.json ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
# The workflow bundle is built once, here: workers load it (WORKFLOW_BUNDLE_PATH) instead of
# bundling at every start, and run exactly the code this image was built from.
RUN npx tsx scripts/bundle-workflows.ts dist/workflow-bundle.js \
 && npm run -s build:web \
 && npm run -s typecheck

# --- runtime: production dependencies only, non-root ---
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are skipped: the Prisma client generated in the build stage is copied below.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/generated ./generated
COPY --from=build /app/dist ./dist
COPY prisma.config.ts tsconfig.json ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY lib ./lib
COPY domain ./domain
COPY services ./services
COPY activities ./activities
COPY workflows ./workflows
COPY worker ./worker
COPY api ./api
COPY cli ./cli
COPY bin ./bin
USER node
EXPOSE 3000 9464 9465
# The API by default; the worker: `node --import tsx worker/main.ts`; migrations: `node --import tsx scripts/db.ts migrate`.
CMD ["node", "--import", "tsx", "api/main.ts"]
