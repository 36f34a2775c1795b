#!/bin/sh
# Serves docs/examples/site/ twice, by nginx with nginx-site.conf and by polyhttpd with
# site.toml, and prints what curl sees for each row of the README's "Moving from nginx" table,
# one server after the other: the status line and the header fields the table talks about.
# Run from the repository's top directory after building (build/polyhttpd); needs nginx and
# curl. Nothing is written outside a temporary directory, removed at the end.
#   docs/examples/compare.sh [NGINX_PORT [POLYHTTPD_PORT]]
set -eu

nginx_port=${1:-18081}
poly_port=${2:-18082}
top=$(pwd)
site="$top/docs/examples/site"
poly="$top/build/polyhttpd"
[ -x "$poly" ] || { echo "compare.sh: build polyhttpd first ($poly)" >&2; exit 2; }
command -v nginx >/dev/null || { echo "compare.sh: nginx is not installed" >&2; exit 2; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
nginx_pid=
poly_pid=
cleanup() {
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
    [ -n "$poly_pid" ] && kill "$poly_pid" 2>/dev/null
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# The server block as written, on this run's port and root, inside the least http {} block
# nginx needs to run unprivileged in $tmp.
sed -e "s|listen 8080;|listen 127.0.0.1:$nginx_port;|" -e "s|root /srv/example;|root $site;|" \
    docs/examples/nginx-site.conf >"$tmp/server.conf"
cat >"$tmp/nginx.conf" <<CONF
daemon off;
master_process off;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    server_tokens off;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    include $tmp/server.conf;
}
CONF
nginx -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" &
nginx_pid=$!
"$poly" --config docs/examples/site.toml --listen "127.0.0.1:$poly_port" --access-log off &
poly_pid=$!
sleep 1

# row NAME HOST TARGET [CURL ARGS...]
row() {
    name=$1 host=$2 target=$3
    shift 3
    echo "== $name: Host $host, GET $target $*"
    for server in "nginx $nginx_port" "polyhttpd $poly_port"; do
        label=${server% *} port=${server#* }
        curl -s -o /dev/null -D - -w 'body bytes: %{size_download}\n' -H "Host: $host" "$@" \
            "http://127.0.0.1:$port$target" |
            tr -d '\r' |
            grep -i -E '^HTTP/|^body bytes|^(content-type|content-encoding|content-length|transfer-encoding|vary|cache-control|expires|etag|location):' |
            sed "s/^/  $label: /"
    done
}

ae='Accept-Encoding: gzip, deflate, br'
row "page" example.com /
row "second name" www.example.com /
row "other name" other.example /
row "asset, gzip" example.com /assets/app.js -H "$ae"
row "asset, identity" example.com /assets/app.js
row "asset, range" example.com /assets/app.js -H "$ae" -H 'Range: bytes=0-99'
row "small file" example.com /404.html -H "$ae"
row "missing asset" example.com /assets/missing.js
row "route" example.com /users/42
row "missing .html" example.com /gone.html
row "missing image" example.com /logo.png
row "return 301" example.com '/old-page.html?ref=mail'
row "rewrite permanent" example.com '/blog/hello.html?ref=mail'
row "directory" example.com '/docs?tab=2'
