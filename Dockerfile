# Flywheel: one image for every role (ROLE=api | worker | all).
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    PORT=4000
WORKDIR /app

# Dependencies first, for layer caching. postinstall generates the Prisma client, which needs the schema
# and the generate script.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .
# The admin UI is built into admin-ui/dist and served at /admin.
RUN if [ -f admin-ui/vite.config.ts ]; then npm run build:ui; fi && chown -R node:node /app

USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Node runs the TypeScript sources through tsx; SIGTERM reaches node directly (no npm in between) for graceful shutdown.
CMD ["node", "--import", "tsx", "src/main.ts"]
