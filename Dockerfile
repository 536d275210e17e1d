# AIRClass Live node image: docker build -t airclass . (docker-compose.yml runs two mains and
# three subs from it, deploy/kubernetes the same). The C++ build uses Debian's packages, as
# scripts/setup.sh does; the web pages are built with Node 20 (Vite needs it; Debian 12's nodejs
# is 18). tests/deploy checks that the build stage has every -dev package of setup.sh and the
# runtime stage every library the binary links (containers cannot run where it is developed).
FROM node:20-bookworm AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build -- --outDir /out/web --emptyOutDir

FROM debian:bookworm AS build
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      cmake ninja-build g++ pkg-config libboost-dev libboost-system-dev libssl-dev libsrtp2-dev \
      libavcodec-dev libavutil-dev libswresample-dev libswscale-dev libopus-dev libyaml-cpp-dev \
      libspdlog-dev libfmt-dev libcli11-dev libjwt-dev nlohmann-json3-dev libgtest-dev libgmock-dev \
      libbenchmark-dev libhiredis-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DAIRCLASS_WEB=OFF -DAIRCLASS_BENCH=OFF \
 && cmake --build /build --target airclass

FROM debian:bookworm-slim
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libssl3 libsrtp2-1 libavcodec59 libavutil57 libswresample4 libswscale6 libopus0 \
      libyaml-cpp0.7 libspdlog1.10 libfmt9 libjwt0 libhiredis0.14 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 airclass \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin airclass
COPY --from=build /build/src/app/airclass /usr/local/bin/airclass
COPY --from=web /out/web /usr/share/airclass/web
COPY airclass.yml /etc/airclass/airclass.yml
ENV AIRCLASS_WEB_ROOT=/usr/share/airclass/web
# Not root: every default port is above 1024 (Kubernetes runs it as 10001 with a read-only root).
USER 10001:10001
EXPOSE 1935 8000 8889 8189/udp 8189/tcp
ENTRYPOINT ["airclass", "--config", "/etc/airclass/airclass.yml"]
