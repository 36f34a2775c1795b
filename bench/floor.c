/* floor: the least a server can spend per request on this kernel, the bottom line of bench/run.
 *
 * One thread, one io_uring (SINGLE_ISSUER | DEFER_TASKRUN; a plain ring on an older kernel), a
 * multishot accept, a multishot recv per connection into a shared provided-buffer ring, and
 * every send of a pass through the completions batched into the one io_uring_enter that waits
 * for the next. Each request head gets one canned response with polyhttpd's header set (the
 * yardstick's) and the cell's body size, so wrk's byte counts match the servers compared:
 *   floor PORT [BODY_BYTES [SENDFILE_FROM]]   listens on 127.0.0.1:PORT until SIGTERM/SIGINT
 *
 * Bodies of SENDFILE_FROM bytes or more (16 KiB, where polyhttpd switches) go out as a server
 * sends a file: the head with MSG_MORE, then sendfile(2) from an unnamed file in $TMPDIR or
 * /tmp (bench/run's web root is there), page references and no copy; synchronous calls, with
 * POLLOUT on the ring when the socket is full. io_uring has no sendfile (its splice always runs
 * on a worker thread) and a send from memory, SEND_ZC included, copies once on loopback.
 * Smaller bodies leave from memory, every owed (pipelined) response in one io_uring send.
 *
 * A floor, not a server: a canned body (at 10 MiB, a hot file in the page cache), no parsing
 * beyond "\r\n\r\n" (pipelined requests answered in order), "Connection: close" anywhere in
 * a head closes after its response and nothing later is answered, no timers, logging or TLS;
 * TCP_NODELAY is set on the listener, which accepted sockets inherit. A head over IN_CAP, or
 * running out of memory, closes the connection. Built by bench/run (cc -O2 ... -luring).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "canned.h"

enum {
    IN_CAP = 4096,   /* wrk's requests are ~60 bytes; a partial head waits here */
    BUF_SIZE = 2048, /* provided receive buffers, shared by every connection */
    BUF_COUNT = 4096,
    BGID = 1,
    REPEAT = 64, /* pipelined small responses sent in one go */
    QUEUE = 4096,
};

enum op { OP_ACCEPT, OP_RECV, OP_SEND, OP_POLL, OP_CANCEL }; /* in user_data's low bits */

struct conn {
    int fd;
    unsigned refs;   /* requests in flight that name this connection */
    unsigned owed;   /* responses owed, in order */
    size_t sent;     /* bytes of the first owed response already out */
    int close_after; /* the last owed response carries Connection: close */
    int sending;     /* a send or a POLLOUT wait is in flight */
    int dead;        /* closed or failed: freed when refs reaches 0 */
    int nonblock;    /* O_NONBLOCK set (the sendfile path wants it) */
    size_t in_len;
    char* in; /* a partial head, IN_CAP bytes; only while one is pending, so an idle
                 connection holds no buffer: the provided ring has them */
};

static struct {
    char *keep, *close, *keep_rep; /* full responses; keep_rep: REPEAT of keep back to back */
    size_t keep_len, close_len, head_keep, head_close;
    size_t body;
    int memfd; /* the body file, for the sendfile path; -1: bodies go from memory */
} canned;

static struct io_uring ring;
static struct io_uring_buf_ring* bufs;
static char* buf_mem;

static struct io_uring_sqe* sqe_get(void) {
    struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    while (!sqe) { /* the SQ is full: hand it over and go on */
        io_uring_submit(&ring);
        sqe = io_uring_get_sqe(&ring);
    }
    return sqe;
}

/* user_data is the connection's address with the operation in its low bits; every request
 * but a cancel or a close holds a reference on its connection until its last completion. */
static void queue(struct io_uring_sqe* sqe, struct conn* c, enum op op) {
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)c | op);
    if (c && op != OP_CANCEL) c->refs++;
}

static void arm_accept(int lfd) {
    struct io_uring_sqe* sqe = sqe_get();
    io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, SOCK_CLOEXEC);
    queue(sqe, NULL, OP_ACCEPT);
}

static void arm_recv(struct conn* c) {
    struct io_uring_sqe* sqe = sqe_get();
    io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BGID;
    queue(sqe, c, OP_RECV);
}

static void recycle(unsigned bid) {
    io_uring_buf_ring_add(bufs, buf_mem + (size_t)bid * BUF_SIZE, BUF_SIZE, (unsigned short)bid,
                          io_uring_buf_ring_mask(BUF_COUNT), 0);
    io_uring_buf_ring_advance(bufs, 1);
}

/* Cancels the multishot recv and closes the descriptor, both in the next submit; the socket
 * goes when the last request holding it completes, the connection when its last reference. */
static void finish(struct conn* c) {
    if (c->dead) return;
    c->dead = 1;
    struct io_uring_sqe* sqe = sqe_get();
    io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)c | OP_RECV, 0);
    queue(sqe, NULL, OP_CANCEL);
    sqe = sqe_get();
    io_uring_prep_close(sqe, c->fd);
    queue(sqe, NULL, OP_CANCEL);
    free(c->in);
    c->in = NULL;
}

static int says_close(const char* head, size_t len) {
    static const char key[] = "connection: close";
    for (size_t i = 0; i + sizeof key <= len; i++)
        if (head[i] == '\n' && strncasecmp(head + i + 1, key, sizeof key - 1) == 0) return 1;
    return 0;
}

/* Counts the complete heads in p[0, n) as owed responses; returns the bytes they took (all of
 * them after a close: nothing after it is answered). */
static size_t take_heads(struct conn* c, const char* p, size_t n) {
    const char *start = p, *end = p + n, *h;
    while ((h = memmem(start, (size_t)(end - start), "\r\n\r\n", 4)) != NULL) {
        c->owed++;
        if (says_close(start, (size_t)(h + 2 - start))) {
            c->close_after = 1;
            return n;
        }
        start = h + 4;
    }
    return (size_t)(start - p);
}

/* New bytes from the socket; returns 0 when the connection must close (head too large). */
static int on_bytes(struct conn* c, const char* data, size_t n) {
    if (c->in_len == 0) { /* the usual case: whole requests, read in place */
        size_t used = take_heads(c, data, n);
        data += used;
        n -= used;
    } else {
        if (c->in_len + n > IN_CAP) return 0;
        memcpy(c->in + c->in_len, data, n);
        size_t used = take_heads(c, c->in, c->in_len + n);
        n = c->in_len + n - used;
        data = c->in + used;
        c->in_len = 0;
    }
    if (n == 0 || c->close_after) return 1;
    if (n > IN_CAP || (!c->in && !(c->in = malloc(IN_CAP)))) return 0;
    memmove(c->in, data, n);
    c->in_len = n;
    return 1;
}

static int last_closes(const struct conn* c) { return c->owed == 1 && c->close_after; }

/* Small bodies: every owed response (up to REPEAT) in one io_uring send from memory. */
static void send_small(struct conn* c) {
    const char* p;
    size_t len;
    if (last_closes(c)) {
        p = canned.close;
        len = canned.close_len;
    } else {
        unsigned n = c->owed - (unsigned)c->close_after;
        p = canned.keep_rep;
        len = (n < REPEAT ? n : REPEAT) * canned.keep_len;
    }
    struct io_uring_sqe* sqe = sqe_get();
    io_uring_prep_send(sqe, c->fd, p + c->sent, len - c->sent, MSG_NOSIGNAL | MSG_WAITALL);
    queue(sqe, c, OP_SEND);
    c->sending = 1;
}

/* Large bodies: the head with MSG_MORE, then sendfile from the memfd, synchronously until the
 * socket is full; then the ring waits for POLLOUT. Returns 0 on a failed socket. */
static int send_big(struct conn* c) {
    if (!c->nonblock) {
        if (fcntl(c->fd, F_SETFL, O_NONBLOCK) != 0) return 0;
        c->nonblock = 1;
    }
    while (c->owed > 0) {
        const char* head = last_closes(c) ? canned.close : canned.keep;
        size_t head_len = last_closes(c) ? canned.head_close : canned.head_keep;
        size_t total = head_len + canned.body;
        ssize_t n;
        if (c->sent < head_len) {
            n = send(c->fd, head + c->sent, head_len - c->sent, MSG_MORE | MSG_NOSIGNAL);
        } else {
            off_t off = (off_t)(c->sent - head_len);
            n = sendfile(c->fd, canned.memfd, &off, total - c->sent);
        }
        if (n < 0 && errno == EAGAIN) {
            struct io_uring_sqe* sqe = sqe_get();
            io_uring_prep_poll_add(sqe, c->fd, POLLOUT);
            queue(sqe, c, OP_POLL);
            c->sending = 1;
            return 1;
        }
        if (n <= 0) return 0;
        c->sent += (size_t)n;
        if (c->sent == total) {
            c->sent = 0;
            c->owed--;
        }
    }
    return 1;
}

static void flush(struct conn* c) {
    if (c->dead || c->sending) return;
    if (c->owed > 0 && canned.memfd >= 0) {
        if (!send_big(c)) {
            finish(c);
            return;
        }
        if (c->sending) return;
    } else if (c->owed > 0) {
        send_small(c);
        return;
    }
    if (c->close_after) finish(c); /* the last response is out */
}

static void on_sent(struct conn* c, int res) {
    c->sending = 0;
    if (c->dead) return;
    if (res <= 0) {
        finish(c);
        return;
    }
    size_t left = (size_t)res;
    while (left > 0) {
        size_t len = last_closes(c) ? canned.close_len : canned.keep_len;
        size_t step = len - c->sent < left ? len - c->sent : left;
        c->sent += step;
        left -= step;
        if (c->sent == len) {
            c->sent = 0;
            c->owed--;
        }
    }
    flush(c);
}

static void on_recv(struct conn* c, const struct io_uring_cqe* cqe) {
    int ok = 1;
    if (cqe->flags & IORING_CQE_F_BUFFER) {
        unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
        if (cqe->res > 0 && !c->dead && !c->close_after)
            ok = on_bytes(c, buf_mem + (size_t)bid * BUF_SIZE, (size_t)cqe->res);
        recycle(bid);
    }
    if (c->dead) return;
    if (cqe->res == 0 || (cqe->res < 0 && cqe->res != -ENOBUFS) || !ok) {
        finish(c);
        return;
    }
    if (!(cqe->flags & IORING_CQE_F_MORE)) arm_recv(c); /* ended (out of buffers): again */
    flush(c);
}

static void on_accept(int lfd, const struct io_uring_cqe* cqe) {
    if (cqe->res >= 0) {
        struct conn* c = calloc(1, sizeof *c);
        if (!c) {
            close(cqe->res);
        } else {
            c->fd = cqe->res;
            arm_recv(c);
        }
    }
    if (!(cqe->flags & IORING_CQE_F_MORE)) arm_accept(lfd); /* EMFILE and the like end it */
}

static void handle(int lfd, const struct io_uring_cqe* cqe) {
    enum op op = (enum op)(cqe->user_data & 7);
    struct conn* c = (struct conn*)(uintptr_t)(cqe->user_data & ~(uint64_t)7);
    switch (op) {
        case OP_ACCEPT: on_accept(lfd, cqe); return;
        case OP_CANCEL: return;
        case OP_RECV:
            on_recv(c, cqe);
            if (cqe->flags & IORING_CQE_F_MORE) return; /* still armed: keeps its reference */
            break;
        case OP_SEND: on_sent(c, cqe->res); break;
        case OP_POLL:
            c->sending = 0;
            flush(c);
            break;
    }
    if (--c->refs == 0 && c->dead) free(c);
}

static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* accepted sockets inherit it */
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr*)&a, sizeof a) != 0 || listen(fd, 4096) != 0) {
        perror("floor: bind/listen");
        exit(1);
    }
    return fd;
}

static void setup_ring(void) {
    struct io_uring_params p = {
        .flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE,
        .cq_entries = QUEUE * 4};
    if (io_uring_queue_init_params(QUEUE, &ring, &p) < 0) {
        fprintf(stderr, "floor: no SINGLE_ISSUER|DEFER_TASKRUN here; a plain ring\n");
        struct io_uring_params plain = {.flags = IORING_SETUP_CQSIZE, .cq_entries = QUEUE * 4};
        if (io_uring_queue_init_params(QUEUE, &ring, &plain) < 0) {
            fprintf(stderr, "floor: io_uring_setup failed\n");
            exit(1);
        }
    }
    size_t ring_bytes = BUF_COUNT * sizeof(struct io_uring_buf);
    bufs = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    buf_mem = malloc((size_t)BUF_COUNT * BUF_SIZE);
    struct io_uring_buf_reg reg = {
        .ring_addr = (uintptr_t)bufs, .ring_entries = BUF_COUNT, .bgid = BGID};
    if (bufs == MAP_FAILED || !buf_mem || io_uring_register_buf_ring(&ring, &reg, 0) != 0) {
        fprintf(stderr, "floor: no provided buffer ring (kernel 5.19+)\n");
        exit(1);
    }
    io_uring_buf_ring_init(bufs);
    for (unsigned i = 0; i < BUF_COUNT; i++) recycle(i);
}

static void make_canned(size_t body, size_t sendfile_from) {
    canned.body = body;
    canned.keep = canned_response(body, 0, 'f', &canned.keep_len, &canned.head_keep);
    canned.close = canned_response(body, 1, 'f', &canned.close_len, &canned.head_close);
    canned.memfd = -1;
    if (body >= sendfile_from) {
        /* an unnamed file on the file system the web root is on (the page cache of a file,
         * as the servers send), else a memfd (shmem's splice path is slower here) */
        const char* dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        canned.memfd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (canned.memfd < 0) canned.memfd = memfd_create("floor-body", MFD_CLOEXEC);
        const char* p = canned.keep + canned.head_keep;
        for (size_t done = 0; canned.memfd >= 0 && done < body;) {
            ssize_t n = write(canned.memfd, p + done, body - done);
            if (n <= 0) abort();
            done += (size_t)n;
        }
        if (canned.memfd < 0) abort();
        return;
    }
    canned.keep_rep = malloc(REPEAT * canned.keep_len);
    if (!canned.keep_rep) abort();
    for (unsigned i = 0; i < REPEAT; i++)
        memcpy(canned.keep_rep + i * canned.keep_len, canned.keep, canned.keep_len);
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: floor PORT [BODY_BYTES [SENDFILE_FROM]]\n");
        return 2;
    }
    make_canned(argc > 2 ? strtoul(argv[2], NULL, 10) : 679,
                argc > 3 ? strtoul(argv[3], NULL, 10) : 16384);
    signal(SIGPIPE, SIG_IGN);
    int lfd = listen_on(atoi(argv[1]));
    setup_ring();
    arm_accept(lfd);
    for (;;) {
        io_uring_submit_and_wait(&ring, 1); /* every send of the last pass, and the next wait */
        unsigned head, seen = 0;
        struct io_uring_cqe* cqe;
        io_uring_for_each_cqe(&ring, head, cqe) {
            handle(lfd, cqe);
            seen++;
        }
        io_uring_cq_advance(&ring, seen);
    }
}
