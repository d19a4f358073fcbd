# syntax=docker/dockerfile:1
#
# autopilot-import as a container image for scheduled jobs (Kubernetes CronJob, Azure Container Apps job, cron + docker).
#
#   docker build -t autopilot-import \
#     --build-arg VERSION="$(node -p "require('./package.json').version")" \
#     --build-arg SOURCE_URL="<repository URL>" --build-arg REVISION="$(git rev-parse HEAD)" .
#   docker run --rm --init --read-only --tmpfs /tmp -v "$PWD/data:/data" \
#     -e AZURE_TENANT_ID -e AZURE_CLIENT_ID -e AZURE_CLIENT_SECRET autopilot-import import devices.csv
#
# Runs as the image's unprivileged `node` user (uid 1000), writes nothing outside /data (the working directory:
# reports and the state directory's default land there) and /tmp (only the emulator and demo write there: mount a
# tmpfs or an emptyDir). Secrets come from the environment or mounted files, never from arguments.
#
# The base image is the Active LTS line of Node.js on Debian's current stable release (trixie), pinned by minor tag.
# How the tag was chosen (2026-12-02): Node's release schedule (github.com/nodejs/Release) has 26.x "Lithium" in
# Active LTS from 2026-10-28 to 2027-10-20 (24.x moved to Maintenance on 2026-10-20); 26.13.0 was its first LTS
# release, so `26.13` follows that minor's patch releases. Pin it by digest as well (node:26.13-trixie-slim@sha256:…)
# where you build: the digest could not be looked up on the machines this file was written on (no registry access).
# Move to the next minor (or, next October, the next LTS line) deliberately, with the tests, not through a floating tag.
# package.json's engines stay >=20.19.0: the image runs a newer Node than the tool needs.
ARG NODE_VERSION=26.13

# ---- build: all dependencies, TypeScript compiled to dist/ ----
FROM node:${NODE_VERSION}-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build is the next step.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- deps: production dependencies only ----
FROM node:${NODE_VERSION}-trixie-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` needs the dev dependencies; no production dependency has an install script.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime ----
FROM node:${NODE_VERSION}-trixie-slim AS runtime
ARG NODE_VERSION
ARG VERSION=0.1.0
ARG SOURCE_URL=""
ARG REVISION=""
LABEL org.opencontainers.image.title="autopilot-import" \
      org.opencontainers.image.description="Register Windows Autopilot devices from hardware-hash CSV files through Microsoft Graph" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="docker.io/library/node:${NODE_VERSION}-trixie-slim"

ENV NODE_ENV=production \
    TMPDIR=/tmp

# The tool needs neither npm, npx, corepack nor yarn at run time: removing them removes their vulnerabilities too.
# /data is the working directory and the only place the tool writes; it belongs to the runtime user.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
        /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
        /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
    && mkdir -p /data \
    && chown 1000:1000 /data

# Application files stay owned by root: the runtime user can read them, not change them.
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY fixtures/samples ./fixtures/samples
COPY fixtures/scenarios ./fixtures/scenarios

# uid:gid of the image's `node` user, numeric so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
WORKDIR /data
VOLUME ["/data"]

# Exec form: node is PID 1 and receives SIGTERM itself; the CLI stops at a safe point, flushes its report (and journal)
# and exits 143. `docker run --init` (or tini) adds zombie reaping, which the tool does not need.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli/bin.js"]
CMD ["--help"]
