# polyhttpd container image: a build stage on Debian 12 with the same install script CI uses,
# and a slim runtime stage with only the shared libraries the binary links.
#   docker build -t polyhttpd .
#   docker run --rm -p 8080:8080 polyhttpd                          # the demo site
#   docker run --rm -p 8080:8080 -v "$PWD/site:/srv/www:ro" polyhttpd  # your own root
#   docker run --rm -p 8080:8080 -p 8443:8443 -v "$PWD/tls:/etc/polyhttpd/tls:ro" polyhttpd \
#       --listen :8080 --tls-listen :8443 --root /srv/www \
#       --tls-cert /etc/polyhttpd/tls/cert.pem --tls-key /etc/polyhttpd/tls/key.pem    # HTTPS
#   (the key must be readable by uid 10001, the image's user: it starts unprivileged)
# Flags after the image name replace the default CMD, e.g. `polyhttpd --model prefork ...`
# is `docker run ... polyhttpd --model prefork --listen :8080 --root /srv/www`.

FROM debian:12 AS build
WORKDIR /src
# The dependency layer is cached until the script changes.
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN bash scripts/install-deps.sh build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPOLYHTTPD_TESTS=OFF \
    && cmake --build /build \
    && strip /build/polyhttpd
# The Debian packages that own the libraries the binary links: the runtime stage installs
# exactly these (libssl3 for HTTPS among them: the build stage's libssl-dev comes from
# install-deps.sh), so a new dependency (liburing for the uring model) needs no edit here.
RUN for lib in $(ldd /build/polyhttpd | awk '$3 ~ /^\// {print $3}'); do \
        dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")"; \
    done | cut -d: -f1 | sort -u > /build/runtime-packages

FROM debian:12-slim
COPY --from=build /build/runtime-packages /tmp/runtime-packages
RUN apt-get update \
    && xargs -a /tmp/runtime-packages apt-get install -y --no-install-recommends \
    && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
    && groupadd --gid 10001 polyhttpd \
    && useradd --uid 10001 --gid polyhttpd --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin polyhttpd
COPY --from=build /build/polyhttpd /usr/local/bin/polyhttpd
COPY demo/ /srv/www/
# Fails the build if a shared library is missing.
RUN /usr/local/bin/polyhttpd --version \
    && chmod -R a+rX,go-w /srv/www

USER polyhttpd
EXPOSE 8080 8443
VOLUME ["/srv/www"]
# No curl in the slim image: bash's /dev/tcp sends one request; any 2xx-4xx status line
# means the server answers (a user's root need not have an index page).
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && read -r -t 2 line <&3 && [[ $line =~ ^HTTP/1\\.[01]\\ [234] ]]"]
# SIGTERM (docker stop) drains gracefully within --shutdown-timeout; keep docker stop's
# timeout above it (the default 10 s matches a 5 s drain).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/polyhttpd"]
CMD ["--model", "epoll-et", "--listen", ":8080", "--root", "/srv/www", \
     "--shutdown-timeout", "5s", "--status-path", "/metrics"]
