/* SPDX-License-Identifier: MIT */
/*
 * link: the physical connection under a session. ODBC hides it, but zodiac
 * needs three things from it that no ODBC call gives without a round trip:
 * whether a connection the driver manager hands out again was closed by the
 * server while it sat in the pool (its socket is readable or hung up), a way
 * to end a wait on a server that went silent (shut the socket down), and a
 * way for a forked child to let go of its parent's connections without
 * writing a byte on them.
 *
 * A physical connection is known by the driver's own connection handle
 * (SQLGetInfo(SQL_DRIVER_HDBC): unixODBC hands a pooled connection's driver
 * handle to whichever handle connects next). Its socket is found once, when
 * zodiac first sees the connection: the one connected socket of the process
 * whose peer is the database's server (host and port from the connection
 * string or DSN) and that no other known link owns; when two connections are
 * made at once and both are candidates, the server says which local port is
 * this connection's. A link whose socket cannot be told stays unknown, and
 * what needs the socket falls back (a validation query, no cut).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* One physical connection zodiac has seen. */
typedef struct entry {
    void *drv;       /* the driver's connection handle */
    int fd;          /* its socket, -1 when not known */
    dev_t dev;
    ino_t ino;
    long server_id;  /* zc__dialect_server_id_sql's answer, 0 until asked */
} entry;

static pthread_mutex_t link_mu = PTHREAD_MUTEX_INITIALIZER;
static entry *links;
static int nlinks, cap_links;

static int same_file(int fd, dev_t dev, ino_t ino)
{
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

/* Drops entries whose socket is no longer theirs (the connection was closed). link_mu held. */
static void link_prune(void)
{
    int k = 0;
    for (int i = 0; i < nlinks; i++)
        if (links[i].fd < 0 || same_file(links[i].fd, links[i].dev, links[i].ino))
            links[k++] = links[i];
    nlinks = k;
}

static entry *find(void *drv)
{
    for (int i = 0; i < nlinks; i++)
        if (links[i].drv == drv)
            return &links[i];
    return NULL;
}

static int known_file(dev_t dev, ino_t ino)
{
    for (int i = 0; i < nlinks; i++)
        if (links[i].fd >= 0 && links[i].dev == dev && links[i].ino == ino)
            return 1;
    return 0;
}

static void put(void *drv, int fd, const struct stat *st)
{
    entry *e = find(drv);
    if (!e) {
        if (nlinks == cap_links) {
            int cap = cap_links ? 2 * cap_links : 16;
            entry *n = realloc(links, (size_t)cap * sizeof *n);
            if (!n)
                return; /* not remembered: the link counts as unknown next time too */
            links = n;
            cap_links = cap;
        }
        e = &links[nlinks++];
    }
    e->drv = drv;
    e->server_id = 0;
    e->fd = fd;
    e->dev = st ? st->st_dev : 0;
    e->ino = st ? st->st_ino : 0;
}

/* ---- the server's address ------------------------------------------------- */

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return 0;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
        return x->sin6_port == y->sin6_port &&
               !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr);
    }
    return 0;
}

int zc__link_endpoints(const char *hosts, const char *ports, int default_port,
                       struct sockaddr_storage *out, int cap)
{
    char hbuf[256], pbuf[64];
    char *hsave = NULL, *psave = NULL, *h, *p;
    const char *last_port = NULL;
    int n = 0;

    if (!hosts || !*hosts)
        return 0;
    snprintf(hbuf, sizeof hbuf, "%s", hosts);
    snprintf(pbuf, sizeof pbuf, "%s", ports ? ports : "");
    h = strtok_r(hbuf, ",", &hsave);
    p = strtok_r(pbuf, ",", &psave);
    for (; h && n < cap; h = strtok_r(NULL, ",", &hsave)) {
        struct addrinfo hints, *res = NULL;
        char port[16];
        if (p) {
            last_port = p;
            p = strtok_r(NULL, ",", &psave);
        }
        snprintf(port, sizeof port, "%s", last_port ? last_port : "");
        if (!port[0])
            snprintf(port, sizeof port, "%d", default_port);
        while (*h == ' ')
            h++;
        if (*h == '/' || *h == '@')
            continue; /* a local socket: not watched */
        memset(&hints, 0, sizeof hints);
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;
        if (getaddrinfo(h, port, &hints, &res) != 0)
            continue;
        for (struct addrinfo *a = res; a && n < cap; a = a->ai_next)
            if (a->ai_addrlen <= sizeof *out) {
                memset(&out[n], 0, sizeof out[n]);
                memcpy(&out[n], a->ai_addr, a->ai_addrlen);
                n++;
            }
        freeaddrinfo(res);
    }
    return n;
}

/* The local port of a socket, 0 if none. */
static int local_port(int fd)
{
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return 0;
    if (a.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)(void *)&a)->sin_port);
    if (a.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)(void *)&a)->sin6_port);
    return 0;
}

/*
 * The sockets of the process connected to one of the endpoints and not owned by
 * a known link: up to cap of them in fds[] (with their files in st[]); returns how
 * many there are (possibly more than cap). link_mu held.
 */
static int link_candidates(const struct sockaddr_storage *ep, int nep, int *fds, struct stat *st,
                      int cap)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        struct stat s;
        char *end;
        long fd = strtol(de->d_name, &end, 10);
        int match = 0;
        if (*end || end == de->d_name || fd == dirfd(d))
            continue;
        if (getpeername((int)fd, (struct sockaddr *)&peer, &len) != 0)
            continue;
        for (int i = 0; i < nep && !match; i++)
            match = same_addr(&peer, &ep[i]);
        if (!match || fstat((int)fd, &s) != 0 || known_file(s.st_dev, s.st_ino))
            continue;
        if (n < cap) {
            fds[n] = (int)fd;
            st[n] = s;
        }
        n++;
    }
    closedir(d);
    return n;
}

/* ---- attaching a session to its link ---------------------------------------- */

#define CANDIDATES 8

int zc__link_attach(const zc__link_probe *probe, SQLHDBC dbc, zc__link *out)
{
    void *drv = NULL;
    SQLSMALLINT len = 0;
    entry *e;
    int fds[CANDIDATES], n, state;
    struct stat st[CANDIDATES];

    memset(out, 0, sizeof *out);
    out->fd = -1;
    if (!SQL_SUCCEEDED(SQLGetInfo(dbc, SQL_DRIVER_HDBC, &drv, sizeof drv, &len)) || !drv)
        return ZC__LINK_UNKNOWN;
    out->drv = drv;
    pthread_mutex_lock(&link_mu);
    e = find(drv);
    if (e && e->fd >= 0 && same_file(e->fd, e->dev, e->ino)) {
        /* a connection zodiac has used before: ask its socket whether the server spoke
           or hung up while it was idle (neither happens to an idle connection) */
        struct pollfd pf = { e->fd, POLLIN | POLLRDHUP, 0 };
        out->fd = e->fd;
        out->dev = e->dev;
        out->ino = e->ino;
        pthread_mutex_unlock(&link_mu);
        if (poll(&pf, 1, 0) != 0)
            return ZC__LINK_SUSPECT;
        return ZC__LINK_ALIVE;
    }
    if (e && e->fd < 0) {
        /* seen before, socket never told apart: try again below, but it is not new */
        state = ZC__LINK_UNKNOWN;
    } else {
        state = ZC__LINK_NEW; /* never seen, or its old socket is gone: a new connection */
    }
    if (!probe || probe->nendpoints == 0) {
        if (state == ZC__LINK_NEW)
            put(drv, -1, NULL);
        pthread_mutex_unlock(&link_mu);
        return state;
    }
    link_prune();
    n = link_candidates(probe->endpoints, probe->nendpoints, fds, st, CANDIDATES);
    if (n > 1 && n <= CANDIDATES && probe->client_port) {
        /* two connections made at once: the server tells this one's port (asked without
           the lock; the candidates are checked again after) */
        int port, k = -1;
        pthread_mutex_unlock(&link_mu);
        port = probe->client_port(probe->arg, dbc);
        pthread_mutex_lock(&link_mu);
        for (int i = 0; port > 0 && i < n; i++)
            if (local_port(fds[i]) == port && !known_file(st[i].st_dev, st[i].st_ino) &&
                same_file(fds[i], st[i].st_dev, st[i].st_ino))
                k = k < 0 ? i : -2;
        if (k >= 0) {
            fds[0] = fds[k];
            st[0] = st[k];
            n = 1;
        }
    }
    if (n == 1) {
        put(drv, fds[0], &st[0]);
        out->fd = fds[0];
        out->dev = st[0].st_dev;
        out->ino = st[0].st_ino;
    } else if (state == ZC__LINK_NEW || !find(drv)) {
        put(drv, -1, NULL);
    }
    pthread_mutex_unlock(&link_mu);
    return state;
}

int zc__link_dup(const zc__link *l)
{
    /* only while the descriptor is still the link's socket: never another file */
    if (l->fd < 0 || !same_file(l->fd, l->dev, l->ino))
        return -1;
    return fcntl(l->fd, F_DUPFD_CLOEXEC, 0);
}

long zc__link_server_id(const zc__link *l)
{
    entry *e;
    long id = 0;
    pthread_mutex_lock(&link_mu);
    if (l->drv && (e = find(l->drv)) != NULL && e->fd == l->fd && e->ino == l->ino)
        id = e->server_id;
    pthread_mutex_unlock(&link_mu);
    return id;
}

void zc__link_set_server_id(const zc__link *l, long id)
{
    entry *e;
    pthread_mutex_lock(&link_mu);
    if (l->drv && (e = find(l->drv)) != NULL && e->fd == l->fd && e->ino == l->ino)
        e->server_id = id;
    pthread_mutex_unlock(&link_mu);
}

/* ---- fork() -------------------------------------------------------------------- */

void zc__link_atfork_prepare(void)
{
    pthread_mutex_lock(&link_mu);
}

void zc__link_atfork_parent(void)
{
    pthread_mutex_unlock(&link_mu);
}

/*
 * In the child: every socket of a known link is replaced by /dev/null (the parent's
 * socket itself stays open in the parent). Whatever the child's copy of a driver or
 * of the driver manager's pool later does with those connections — a Terminate or
 * COM_QUIT when an idle entry expires, a statement on a session opened before the
 * fork — goes nowhere instead of into the parent's conversation with the server,
 * and reads end at once. Only async-signal-safe calls here (open, fstat, dup2, close).
 */
void zc__link_atfork_child(void)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int i = 0; i < nlinks; i++) {
        if (links[i].fd >= 0 && null >= 0 && same_file(links[i].fd, links[i].dev, links[i].ino))
            dup2(null, links[i].fd);
        links[i].fd = -1; /* the child's own connections are learned afresh */
    }
    if (null >= 0)
        close(null);
    nlinks = 0;
    pthread_mutex_unlock(&link_mu);
}
