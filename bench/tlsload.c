/* tlsload: the client of bench/run's TLS handshake cells. C connections in parallel, each
 * doing one HTTPS request with "Connection: close" and then reconnecting, for D seconds, from
 * one thread on one epoll loop (the bench pins it to the client core, as it does wrk).
 *
 * Why not wrk: wrk keeps the SSL object across reconnects (SSL_clear), so it offers the last
 * session again and every handshake after a connection's first one is resumed; it cannot
 * measure full handshakes. Here -r chooses: without it no session is ever offered (every
 * handshake is full: certificate, signature, key exchange), with it each connection offers the
 * newest ticket its slot received (a resumed handshake, PSK with ECDHE as OpenSSL's client
 * asks by default), again and again if the server sends no new one (see on_new_session).
 * The client pins TLS 1.3, TLS_AES_128_GCM_SHA256, X25519 and ALPN http/1.1 alone, so every
 * server negotiates the same thing; it does not verify the certificate chain (nor does wrk):
 * that cost is the client's, not the server's.
 *
 * Output: the POLYBENCH line wrk/report.lua prints (so wrkrun.py parses both), plus
 * resumed=N (handshakes the server resumed) and mismatch=N (handshakes that negotiated
 * anything but the pinned protocol, cipher and ALPN). Latency runs from connect() to the
 * response's last byte: it includes the handshake.
 *
 *   tlsload -c CONNS -d SECONDS -t TIMEOUT [-r] PORT PATH      (host 127.0.0.1, SNI localhost)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

enum { HEAD_MAX = 16384 };
enum phase { CONNECTING, HANDSHAKE, WRITING, READING };

struct slot {
    int fd;
    SSL* ssl;
    unsigned char* ticket; /* newest session (ticket) this slot received, as DER (-r) */
    int ticket_len;
    enum phase phase;
    long long started_us;
    char head[HEAD_MAX];
    size_t head_len, sent;
    long long body_left; /* -1: head not complete yet */
    int status;
};

static struct {
    long long requests, bytes, connect, read, write, status, timeout, resumed, mismatch;
    unsigned* lat;
    size_t lat_len, lat_cap;
} st;

static int resume, epfd;
static struct sockaddr_in addr;
static char request[512];
static size_t request_len;

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void record_latency(long long us) {
    if (st.lat_len == st.lat_cap) {
        st.lat_cap = st.lat_cap ? st.lat_cap * 2 : 65536;
        st.lat = realloc(st.lat, st.lat_cap * sizeof *st.lat);
        if (!st.lat) {
            perror("tlsload: realloc");
            exit(1);
        }
    }
    st.lat[st.lat_len++] = (unsigned)us;
}

/* TLS 1.3 tickets arrive after the handshake, read with the response: keep the newest, as
 * DER. A copy, because OpenSSL's client marks a TLS 1.3 session not resumable once used
 * (tickets are single use, RFC 8446 appendix C.4), and lighttpd and h2o 2.2 issue no new
 * ticket on a resumed handshake: a client using each ticket once resumes only every other
 * handshake with them (measured: 49 %). Offering the newest ticket again makes every
 * handshake of the cell a resumed one, on every server. */
static int on_new_session(SSL* ssl, SSL_SESSION* session) {
    struct slot* s = SSL_get_app_data(ssl);
    if (!resume || !s) return 0;
    int len = i2d_SSL_SESSION(session, NULL);
    unsigned char *der = len > 0 ? malloc((size_t)len) : NULL, *p = der;
    if (!der || i2d_SSL_SESSION(session, &p) != len) {
        free(der);
        return 0;
    }
    free(s->ticket);
    s->ticket = der;
    s->ticket_len = len;
    return 0; /* OpenSSL keeps and frees the session itself */
}

static void offer_ticket(struct slot* s) {
    const unsigned char* p = s->ticket;
    SSL_SESSION* session = d2i_SSL_SESSION(NULL, &p, s->ticket_len);
    if (!session) return;
    SSL_set_session(s->ssl, session); /* takes its own reference */
    SSL_SESSION_free(session);
}

static void watch(struct slot* s, unsigned events, int op) {
    struct epoll_event ev = {.events = events, .data.ptr = s};
    if (epoll_ctl(epfd, op, s->fd, &ev) < 0) {
        perror("tlsload: epoll_ctl");
        exit(1);
    }
}

static void drop(struct slot* s) {
    if (s->ssl) {
        SSL_set_app_data(s->ssl, NULL);
        SSL_free(s->ssl);
        s->ssl = NULL;
    }
    if (s->fd >= 0) close(s->fd); /* also leaves the epoll set */
    s->fd = -1;
}

static void start(struct slot* s, SSL_CTX* ctx) {
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        perror("tlsload: socket");
        exit(1);
    }
    int one = 1;
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    s->ssl = SSL_new(ctx);
    SSL_set_app_data(s->ssl, s);
    SSL_set_fd(s->ssl, s->fd);
    SSL_set_tlsext_host_name(s->ssl, "localhost");
    if (resume && s->ticket) offer_ticket(s);
    SSL_set_connect_state(s->ssl);
    s->head_len = s->sent = 0;
    s->body_left = -1;
    s->status = 0;
    s->started_us = now_us();
    s->phase = CONNECTING;
    if (connect(s->fd, (struct sockaddr*)&addr, sizeof addr) < 0 && errno != EINPROGRESS) {
        st.connect++;
        drop(s);
        return;
    }
    watch(s, EPOLLOUT, EPOLL_CTL_ADD);
}

static void fail(struct slot* s, long long* counter) {
    (*counter)++;
    drop(s);
}

static int negotiated_as_pinned(SSL* ssl) {
    const unsigned char* alpn;
    unsigned alpn_len;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    return SSL_version(ssl) == TLS1_3_VERSION &&
           strcmp(SSL_get_cipher_name(ssl), "TLS_AES_128_GCM_SHA256") == 0 && alpn_len == 8 &&
           memcmp(alpn, "http/1.1", 8) == 0;
}

/* The head is complete: status and Content-Length; what followed it is body already. */
static void parse_head(struct slot* s, char* end) {
    s->status = atoi(s->head + 9);
    long long length = -1;
    for (char* p = strstr(s->head, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n"))
        if (strncasecmp(p + 2, "content-length:", 15) == 0) length = atoll(p + 17);
    size_t head_bytes = (size_t)(end + 4 - s->head);
    s->body_left = length < 0 ? (long long)1 << 62 : length - (long long)(s->head_len - head_bytes);
}

static void finish(struct slot* s) {
    st.requests++;
    if (s->status > 399) st.status++;
    if (SSL_session_reused(s->ssl)) st.resumed++;
    if (!negotiated_as_pinned(s->ssl)) st.mismatch++;
    record_latency(now_us() - s->started_us);
    SSL_shutdown(s->ssl); /* close_notify, as wrk sends; no wait for the server's */
    drop(s);
}

/* Reads what is there; returns 1 when the response is complete. */
static int read_response(struct slot* s) {
    char buf[16384];
    for (;;) {
        int n = SSL_read(s->ssl, buf, sizeof buf);
        if (n <= 0) {
            int e = SSL_get_error(s->ssl, n);
            if (e == SSL_ERROR_WANT_READ) return 0;
            if (e == SSL_ERROR_ZERO_RETURN && s->body_left >= ((long long)1 << 61)) return 1;
            fail(s, &st.read); /* closed before the body was complete */
            return -1;
        }
        st.bytes += n;
        if (s->body_left < 0) {
            size_t take =
                (size_t)n < HEAD_MAX - 1 - s->head_len ? (size_t)n : HEAD_MAX - 1 - s->head_len;
            memcpy(s->head + s->head_len, buf, take);
            s->head_len += take;
            s->head[s->head_len] = 0;
            char* end = strstr(s->head, "\r\n\r\n");
            if (end)
                parse_head(s, end);
            else if (s->head_len == HEAD_MAX - 1) {
                fail(s, &st.read);
                return -1;
            }
        } else {
            s->body_left -= n;
        }
        if (s->body_left == 0) return 1;
    }
}

/* One step of a slot's state machine, after epoll said its socket is ready. */
static void advance(struct slot* s, SSL_CTX* ctx) {
    if (s->phase == CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            fail(s, &st.connect);
            start(s, ctx);
            return;
        }
        s->phase = HANDSHAKE;
    }
    int r = 1;
    if (s->phase == HANDSHAKE && (r = SSL_do_handshake(s->ssl)) == 1) s->phase = WRITING;
    while (s->phase == WRITING) {
        r = SSL_write(s->ssl, request + s->sent, (int)(request_len - s->sent));
        if (r > 0 && (s->sent += (size_t)r) == request_len) s->phase = READING;
        if (r <= 0) break;
    }
    if (s->phase == READING && r > 0) {
        int done = read_response(s);
        if (done < 0) {
            start(s, ctx);
            return;
        }
        if (done) {
            finish(s);
            start(s, ctx);
            return;
        }
        watch(s, EPOLLIN, EPOLL_CTL_MOD);
        return;
    }
    int e = SSL_get_error(s->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        watch(s, e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT, EPOLL_CTL_MOD);
        return;
    }
    ERR_clear_error();
    fail(s, s->phase == HANDSHAKE ? &st.connect : &st.write);
    start(s, ctx);
}

static SSL_CTX* client_context(void) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx || SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") != 1 ||
        SSL_CTX_set1_groups_list(ctx, "X25519") != 1 ||
        SSL_CTX_set_alpn_protos(ctx, (const unsigned char*)"\x08http/1.1", 9) != 0) {
        ERR_print_errors_fp(stderr);
        exit(1);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    return ctx;
}

static int cmp_unsigned(const void* a, const void* b) {
    unsigned x = *(const unsigned*)a, y = *(const unsigned*)b;
    return (x > y) - (x < y);
}

static double percentile(double p) {
    if (!st.lat_len) return 0;
    size_t i = (size_t)(p / 100.0 * (double)(st.lat_len - 1) + 0.5);
    return st.lat[i];
}

static void report(long long duration_us) {
    double sum = 0;
    for (size_t i = 0; i < st.lat_len; i++) sum += st.lat[i];
    qsort(st.lat, st.lat_len, sizeof *st.lat, cmp_unsigned);
    printf(
        "POLYBENCH requests=%lld duration_us=%lld bytes=%lld connect=%lld read=%lld write=%lld "
        "status=%lld timeout=%lld p50_us=%.0f p90_us=%.0f p99_us=%.0f mean_us=%.1f "
        "max_us=%.0f resumed=%lld mismatch=%lld\n",
        st.requests, duration_us, st.bytes, st.connect, st.read, st.write, st.status, st.timeout,
        percentile(50), percentile(90), percentile(99), st.lat_len ? sum / (double)st.lat_len : 0.0,
        st.lat_len ? (double)st.lat[st.lat_len - 1] : 0.0, st.resumed, st.mismatch);
}

int main(int argc, char** argv) {
    int conns = 16, seconds = 10, timeout = 5, opt;
    while ((opt = getopt(argc, argv, "c:d:t:r")) != -1) {
        if (opt == 'c')
            conns = atoi(optarg);
        else if (opt == 'd')
            seconds = atoi(optarg);
        else if (opt == 't')
            timeout = atoi(optarg);
        else if (opt == 'r')
            resume = 1;
        else
            return 2;
    }
    if (argc - optind != 2 || conns < 1 || seconds < 1 || timeout < 1) {
        fprintf(stderr, "usage: tlsload -c CONNS -d SECONDS -t TIMEOUT [-r] PORT PATH\n");
        return 2;
    }
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[optind]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    request_len = (size_t)snprintf(
        request, sizeof request, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        argv[optind + 1]);
    SSL_CTX* ctx = client_context();
    struct slot* slots = calloc((size_t)conns, sizeof *slots);
    struct epoll_event* events = calloc((size_t)conns, sizeof *events);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!slots || !events || epfd < 0) {
        perror("tlsload");
        return 1;
    }
    long long t0 = now_us(), end = t0 + seconds * 1000000LL, t = t0;
    for (int i = 0; i < conns; i++) start(&slots[i], ctx);
    while ((t = now_us()) < end) {
        int n = epoll_wait(epfd, events, conns, 50);
        for (int i = 0; i < n; i++) advance(events[i].data.ptr, ctx);
        t = now_us();
        for (int i = 0; i < conns;
             i++) { /* a slot whose request outlived the timeout, or unstarted */
            struct slot* s = &slots[i];
            if (s->fd >= 0 && t - s->started_us > timeout * 1000000LL) fail(s, &st.timeout);
            if (s->fd < 0 && t < end) start(s, ctx);
        }
    }
    report(t - t0);
    return 0;
}
