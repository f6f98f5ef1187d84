# Flywheel: one image for every role (ROLE=api | worker | all).
# Two stages: the admin UI is built with the development dependencies (Vite, React, Apollo Client, recharts),
# and the image that runs keeps only the server's dependencies and the built UI.

FROM node:20-bookworm-slim AS ui
WORKDIR /app
# Dependencies first, for layer caching. postinstall generates the Prisma client, which needs the schema and the
# generate script. NODE_ENV is not production here, so npm ci installs the development dependencies too.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
# The UI's sources, its generated GraphQL types (admin-ui/src/gql, checked in) and the Vite config.
COPY admin-ui ./admin-ui
RUN npm run build:ui

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=4000
WORKDIR /app

COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .
# The admin UI, built in the first stage into admin-ui/dist, is served at /admin.
COPY --from=ui /app/admin-ui/dist ./admin-ui/dist
RUN chown -R node:node /app

USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Node runs the TypeScript sources through tsx; SIGTERM reaches node directly (no npm in between) for graceful shutdown.
CMD ["node", "--import", "tsx", "src/main.ts"]
