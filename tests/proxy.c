/* SPDX-License-Identifier: MIT */
/* The fault-injection proxy of the tests (proxy.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy.h"

#define PAIRS 256

struct pair {
    int client, server; /* -1 when closed */
};

struct zct_proxy {
    pthread_t thread;
    pthread_mutex_t mu;
    int listen_fd, port, target_port;
    int wake[2];          /* the test's orders wake the thread through this pipe */
    struct pair pairs[PAIRS];
    int npairs;
    /* orders, guarded by mu */
    int stop, cut_all, cut_after_send, silent;
    /* counters, guarded by mu */
    long accepted;
    long client_sends;
};

static void close_pair(struct pair *x)
{
    if (x->client >= 0) {
        shutdown(x->client, SHUT_RDWR);
        close(x->client);
    }
    if (x->server >= 0) {
        shutdown(x->server, SHUT_RDWR);
        close(x->server);
    }
    x->client = x->server = -1;
}

static int connect_target(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Copies what is readable on from to to; 0 when from closed or failed. */
static int pump(int from, int to, long *chunks)
{
    char buf[65536];
    ssize_t n = read(from, buf, sizeof buf);
    if (n <= 0)
        return 0;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));
        if (w <= 0)
            return 0;
        off += w;
    }
    if (chunks)
        (*chunks)++;
    return 1;
}

static void *run(void *arg)
{
    zct_proxy *p = arg;
    for (;;) {
        struct pollfd pf[2 + 2 * PAIRS];
        int map[2 + 2 * PAIRS], n = 0, silent;
        pthread_mutex_lock(&p->mu);
        if (p->stop) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        if (p->cut_all) {
            for (int i = 0; i < p->npairs; i++)
                close_pair(&p->pairs[i]);
            p->cut_all = 0;
        }
        silent = p->silent;
        pthread_mutex_unlock(&p->mu);

        pf[n].fd = p->wake[0], pf[n].events = POLLIN, map[n++] = -1;
        pf[n].fd = p->listen_fd, pf[n].events = POLLIN, map[n++] = -2;
        for (int i = 0; i < p->npairs && !silent; i++) {
            struct pair *x = &p->pairs[i];
            if (x->client >= 0 && x->server < 0)
                close_pair(x); /* accepted while silent: never had a server */
            if (x->client < 0)
                continue;
            pf[n].fd = x->client, pf[n].events = POLLIN, map[n++] = 2 * i;
            if (x->server >= 0)
                pf[n].fd = x->server, pf[n].events = POLLIN, map[n++] = 2 * i + 1;
        }
        if (poll(pf, (nfds_t)n, -1) < 0 && errno != EINTR)
            break;
        for (int k = 0; k < n; k++) {
            if (!pf[k].revents)
                continue;
            if (map[k] == -1) {
                char c[64];
                if (read(p->wake[0], c, sizeof c) < 0)
                    continue;
            } else if (map[k] == -2) {
                int c = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
                struct pair *x = NULL;
                if (c < 0)
                    continue;
                for (int i = 0; i < p->npairs && !x; i++)
                    if (p->pairs[i].client < 0)
                        x = &p->pairs[i];
                if (!x && p->npairs < PAIRS)
                    x = &p->pairs[p->npairs++];
                if (!x) {
                    close(c);
                    continue;
                }
                x->client = c;
                pthread_mutex_lock(&p->mu);
                p->accepted++;
                silent = p->silent; /* as ordered now, not when the loop began */
                pthread_mutex_unlock(&p->mu);
                /* a silent server accepts and never answers: nothing behind it */
                x->server = silent ? -1 : connect_target(p->target_port);
                if (!silent && x->server < 0)
                    close_pair(x);
            } else {
                struct pair *x = &p->pairs[map[k] / 2];
                int from_client = map[k] % 2 == 0;
                long sent = 0;
                if (x->client < 0 || x->server < 0)
                    continue;
                if (!pump(from_client ? x->client : x->server,
                          from_client ? x->server : x->client, from_client ? &sent : NULL)) {
                    close_pair(x);
                    continue;
                }
                if (from_client) {
                    pthread_mutex_lock(&p->mu);
                    p->client_sends += sent;
                    if (p->cut_after_send) { /* as ordered now, not when the loop began */
                        p->cut_after_send = 0;
                        pthread_mutex_unlock(&p->mu);
                        /* let the server have it before the client loses the link */
                        usleep(20000);
                        close_pair(x);
                        continue;
                    }
                    pthread_mutex_unlock(&p->mu);
                }
            }
        }
    }
    for (int i = 0; i < p->npairs; i++)
        close_pair(&p->pairs[i]);
    return NULL;
}

zct_proxy *zct_proxy_start(int target_port)
{
    zct_proxy *p = calloc(1, sizeof *p);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int one = 1;
    if (!p)
        return NULL;
    p->target_port = target_port;
    pthread_mutex_init(&p->mu, NULL);
    p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    setsockopt(p->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(p->listen_fd, 64) != 0 ||
        getsockname(p->listen_fd, (struct sockaddr *)&a, &len) != 0 ||
        pipe2(p->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        if (p->listen_fd >= 0)
            close(p->listen_fd);
        free(p);
        return NULL;
    }
    p->port = ntohs(a.sin_port);
    if (pthread_create(&p->thread, NULL, run, p) != 0) {
        close(p->listen_fd);
        close(p->wake[0]);
        close(p->wake[1]);
        free(p);
        return NULL;
    }
    return p;
}

int zct_proxy_port(const zct_proxy *p)
{
    return p->port;
}

static void order(zct_proxy *p, int *field, int value)
{
    pthread_mutex_lock(&p->mu);
    *field = value;
    pthread_mutex_unlock(&p->mu);
    if (write(p->wake[1], "x", 1) < 0) {
        /* the pipe is full: the thread has wake-ups pending already */
    }
}

void zct_proxy_cut_all(zct_proxy *p)
{
    order(p, &p->cut_all, 1);
    /* done once the thread has seen it */
    for (int i = 0; i < 500; i++) {
        int pending;
        pthread_mutex_lock(&p->mu);
        pending = p->cut_all;
        pthread_mutex_unlock(&p->mu);
        if (!pending)
            break;
        usleep(2000);
    }
}

void zct_proxy_cut_after_next_send(zct_proxy *p)
{
    order(p, &p->cut_after_send, 1);
}

void zct_proxy_silence(zct_proxy *p, int on)
{
    order(p, &p->silent, on);
}

/* A counter of the thread's, read under its lock. */
static long counter(const zct_proxy *p, const long *field)
{
    long n;
    pthread_mutex_lock((pthread_mutex_t *)&p->mu);
    n = *field;
    pthread_mutex_unlock((pthread_mutex_t *)&p->mu);
    return n;
}

int zct_proxy_accepted(const zct_proxy *p)
{
    return (int)counter(p, &p->accepted);
}

long zct_proxy_client_sends(const zct_proxy *p)
{
    return counter(p, &p->client_sends);
}

void zct_proxy_stop(zct_proxy **pp)
{
    zct_proxy *p = pp ? *pp : NULL;
    if (!p)
        return;
    *pp = NULL;
    order(p, &p->stop, 1);
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
    close(p->wake[0]);
    close(p->wake[1]);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
