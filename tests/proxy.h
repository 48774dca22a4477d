/* SPDX-License-Identifier: MIT */
/*
 * A TCP proxy for fault injection: it runs in a thread of the test process,
 * listens on 127.0.0.1 (a port of its own) and forwards every connection to a
 * server's port, until the test tells it to cut or silence them at a chosen
 * moment. The servers themselves are never touched: only the connections made
 * through the proxy are cut.
 */
#ifndef ZCT_PROXY_H
#define ZCT_PROXY_H

typedef struct zct_proxy zct_proxy;

/* Starts a proxy to 127.0.0.1:target_port; NULL on failure. */
zct_proxy *zct_proxy_start(int target_port);
/* Its port on 127.0.0.1. */
int zct_proxy_port(const zct_proxy *p);
/* Closes every connection now, both sides (the client sees its socket hung up). */
void zct_proxy_cut_all(zct_proxy *p);
/* The next bytes a client sends are forwarded to the server, and then that client's
   connection is closed both sides before any answer can come back. */
void zct_proxy_cut_after_next_send(zct_proxy *p);
/* on: nothing is forwarded any more, either way, and new connections are accepted but
   never answered (a server that went silent: a partition, a stopped process); off:
   forwarding resumes. */
void zct_proxy_silence(zct_proxy *p, int on);
/* Connections accepted so far. */
int zct_proxy_accepted(const zct_proxy *p);
/* Chunks of client bytes forwarded to the server so far (one per read). */
long zct_proxy_client_sends(const zct_proxy *p);
/* Stops the thread and closes everything; *p = NULL. */
void zct_proxy_stop(zct_proxy **p);

#endif
