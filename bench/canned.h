/* canned.h: the one response bench's canned responders (yardstick.c, floor.c) answer with.
 *
 * The header set polyhttpd sends for a static file, with values of the same length (fixed Date
 * and ETag), and a body of the given size, so wrk reads as many bytes from a canned responder
 * as from the servers it is compared with (920 bytes for the 679-byte page). Called once at
 * start-up; aborts when out of memory. Included by one .c file each, compiled on their own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* head + body in one malloc'd buffer; *len: all of it, *head_len: the head's part */
static char* canned_response(size_t body, int close, char fill, size_t* len, size_t* head_len) {
    static const char head[] =
        "HTTP/1.1 200 OK\r\n"
        "Server: polyhttpd\r\n"
        "Date: Sun, 30 Nov 2025 07:00:00 GMT\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "Content-Length: %zu\r\n"
        "Last-Modified: Sun, 30 Nov 2025 07:00:00 GMT\r\n"
        "ETag: \"a7420c-2a7-18ecc303fcdf85f0\"\r\n"
        "Accept-Ranges: bytes\r\n"
        "%s\r\n";
    char* buf = malloc(1024 + body);
    if (!buf) abort();
    int n = snprintf(buf, 1024, head, body, close ? "Connection: close\r\n" : "");
    memset(buf + n, fill, body);
    *head_len = (size_t)n;
    *len = (size_t)n + body;
    return buf;
}
