/* yardstick: the ceiling the benchmark measures every server against.
 *
 * A bare level-triggered epoll loop on one thread that answers every complete request head with
 * one canned response: the same header set polyhttpd sends, with values of the same length, and
 * a body of the same size as the bench page (679 bytes unless told otherwise): 920 bytes in all,
 * as polyhttpd's answer for the page. No parsing beyond finding "\r\n\r\n", no file
 * system, no timers, no logging: whatever a real server costs above this line is its own.
 *
 *   yardstick PORT [BODY_BYTES]        listens on 127.0.0.1:PORT until SIGTERM/SIGINT
 *
 * Built by bench/run with `cc -O2`; not part of the product and never installed.
 * Hazards kept on purpose small: a request head larger than the input buffer closes the
 * connection; "Connection: close" anywhere in a head closes after that response (wrk's
 * connection-rate runs depend on it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "canned.h"

enum { IN_CAP = 4096, MAX_EVENTS = 256 }; /* wrk's requests are ~60 bytes */

struct canned {
    char *keep, *close; /* full responses: keep-alive and "Connection: close" */
    size_t keep_len, close_len;
};

struct conn {
    int fd;
    size_t in_len;
    unsigned queued;    /* responses owed, in order */
    size_t sent;        /* bytes of the first owed response already written */
    int close_after;    /* the last owed response carries Connection: close */
    int want_out;       /* EPOLLOUT currently registered */
    char in[IN_CAP];
};

static struct canned canned;

static void update_interest(int ep, struct conn *c, int want_out) {
    if (c->want_out == want_out) return;
    struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = want_out;
}

static void drop(struct conn *c) {
    close(c->fd); /* closing removes it from the epoll set */
    free(c);
}

/* Moves complete heads out of the input buffer, owing one response each. */
static int take_heads(struct conn *c) {
    char *start = c->in, *end = c->in + c->in_len, *p;
    while ((p = memmem(start, (size_t)(end - start), "\r\n\r\n", 4)) != NULL) {
        p[2] = '\0'; /* make the head a string for strcasestr; the bytes are consumed anyway */
        if (strcasestr(start, "\nconnection: close")) c->close_after = 1;
        c->queued++;
        start = p + 4;
        if (c->close_after) break; /* nothing after a close is answered */
    }
    c->in_len = (size_t)(end - start);
    memmove(c->in, start, c->in_len);
    return c->in_len < IN_CAP;
}

/* Returns 0 when the connection is finished (closed or failed). */
static int flush(int ep, struct conn *c) {
    while (c->queued > 0) {
        int last = c->queued == 1;
        const char *r = last && c->close_after ? canned.close : canned.keep;
        size_t len = last && c->close_after ? canned.close_len : canned.keep_len;
        ssize_t n = send(c->fd, r + c->sent, len - c->sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EAGAIN) {
            update_interest(ep, c, 1);
            return 1;
        }
        if (n <= 0) return 0;
        c->sent += (size_t)n;
        if (c->sent == len) {
            c->sent = 0;
            c->queued--;
        }
    }
    update_interest(ep, c, 0);
    return !c->close_after;
}

static int on_readable(struct conn *c) {
    if (c->close_after) return 1; /* answering the last request; the rest is ignored */
    for (;;) {
        ssize_t n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
        if (n < 0 && errno == EAGAIN) return 1;
        if (n <= 0) return 0;
        size_t space = IN_CAP - c->in_len;
        c->in_len += (size_t)n;
        if (!take_heads(c)) return 0; /* head larger than the buffer */
        if (c->close_after) return 1;
        if ((size_t)n < space) return 1; /* drained for now; level-triggered epoll says when not */
    }
}

static void accept_all(int ep, int lfd) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return; /* EAGAIN, or EMFILE: the backlog keeps it */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) drop(c);
    }
}

static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4096) != 0) {
        perror("yardstick: bind/listen");
        exit(1);
    }
    return fd;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: yardstick PORT [BODY_BYTES]\n");
        return 2;
    }
    size_t body = argc > 2 ? strtoul(argv[2], NULL, 10) : 679;
    size_t head_len;
    canned.keep = canned_response(body, 0, 'y', &canned.keep_len, &head_len);
    canned.close = canned_response(body, 1, 'y', &canned.close_len, &head_len);
    signal(SIGPIPE, SIG_IGN);
    int lfd = listen_on(atoi(argv[1]));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, events, MAX_EVENTS, -1);
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (!c) {
                accept_all(ep, lfd);
                continue;
            }
            int alive = 1;
            if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) alive = on_readable(c);
            if (alive) alive = flush(ep, c);
            if (!alive) drop(c);
        }
    }
}
