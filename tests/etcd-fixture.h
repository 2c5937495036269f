/* etcd-fixture.h — a real etcd cluster on loopback for the `cluster` tests.
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fc_test_etcd_start() runs N members of Debian's etcd-server (/usr/bin/etcd,
 * or $FC_TEST_ETCD_BINARY) as one cluster: every URL on 127.0.0.1 with ports
 * the kernel picked as free, every data directory and log file under one
 * g_dir_make_tmp() directory, short heartbeat and election timeouts. It
 * returns once every member reports healthy, or fails within
 * FC_TEST_ETCD_START_SECONDS with the members' logs in the error message.
 *
 * fc_test_etcd_free() kills every member and removes the directory. If the
 * test process dies first (an assertion, a signal, meson's timeout), the
 * members die with it (PR_SET_PDEATHSIG) and a guardian process, which sees
 * its pipe from the test close, kills any member still running (checked by
 * pid and data directory) and removes the directory.
 *
 * Call it from the thread that will outlive the cluster (the test's main
 * thread): the kernel's parent-death signal follows the thread that spawned.
 *
 * Every request goes to one member through etcd's v3 JSON gateway, bounded
 * by the request timeout (FC_TEST_ETCD_REQUEST_SECONDS by default), so a
 * request to a stopped member or to a cluster without quorum fails instead
 * of hanging. Keys and values are plain strings; the fixture base64-encodes
 * them as the gateway wants.
 *
 * Not thread-safe: use one FcTestEtcd from one thread.
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A cluster that is not healthy within this many seconds is an error. */
#define FC_TEST_ETCD_START_SECONDS 20
/* The default bound on one gateway request. */
#define FC_TEST_ETCD_REQUEST_SECONDS 3

#define FC_TEST_ETCD_ERROR (fc_test_etcd_error_quark ())

typedef enum
{
  /* No etcd binary: the test should g_test_skip(). */
  FC_TEST_ETCD_ERROR_NOT_INSTALLED,
  /* A member could not be started or exited. */
  FC_TEST_ETCD_ERROR_FAILED,
  /* Not healthy in time. */
  FC_TEST_ETCD_ERROR_TIMEOUT,
  /* The gateway answered with an error status or a reply we cannot read. */
  FC_TEST_ETCD_ERROR_REQUEST,
} FcTestEtcdError;

typedef struct _FcTestEtcd FcTestEtcd;

GQuark      fc_test_etcd_error_quark        (void);

FcTestEtcd *fc_test_etcd_start              (guint        n_members,
                                             GError     **error);
/* @binary: the etcd program (a path or a name looked up in PATH); %NULL for
 * $FC_TEST_ETCD_BINARY or "etcd". */
FcTestEtcd *fc_test_etcd_start_full         (guint        n_members,
                                             const char  *binary,
                                             GError     **error);
/* fc_test_etcd_start() for a test: on NOT_INSTALLED calls g_test_skip() and
 * returns %NULL; any other error fails the test. */
FcTestEtcd *fc_test_etcd_start_or_skip      (guint        n_members);
void        fc_test_etcd_free               (FcTestEtcd  *self);

guint       fc_test_etcd_get_n_members      (FcTestEtcd  *self);
/* The members' client URLs, "http://127.0.0.1:PORT", %NULL-terminated;
 * valid until fc_test_etcd_free(), also for stopped or killed members. */
const char * const *fc_test_etcd_get_endpoints (FcTestEtcd *self);
const char *fc_test_etcd_get_endpoint       (FcTestEtcd  *self,
                                             guint        member);
/* The endpoints joined with commas, for FC_ETCD_ENDPOINTS or etcdctl. */
char       *fc_test_etcd_dup_endpoints_string (FcTestEtcd *self);
/* The temporary directory holding every data directory and log. */
const char *fc_test_etcd_get_dir            (FcTestEtcd  *self);
/* The member's process id, 0 once it was killed. */
GPid        fc_test_etcd_get_pid            (FcTestEtcd  *self,
                                             guint        member);

/* SIGSTOP / SIGCONT: the member keeps its sockets but answers nothing. */
void        fc_test_etcd_stop_member        (FcTestEtcd  *self,
                                             guint        member);
void        fc_test_etcd_cont_member        (FcTestEtcd  *self,
                                             guint        member);
/* SIGKILL, and waits until the process is gone. */
void        fc_test_etcd_kill_member        (FcTestEtcd  *self,
                                             guint        member);
/* Starts a killed member again on its ports and data directory. */
gboolean    fc_test_etcd_restart_member     (FcTestEtcd  *self,
                                             guint        member,
                                             GError     **error);

/* Waits (bounded by @timeout_seconds) until every member that is neither
 * stopped nor killed answers /health with "true". */
gboolean    fc_test_etcd_wait_healthy       (FcTestEtcd  *self,
                                             guint        timeout_seconds,
                                             GError     **error);

/* The bound on each gateway request, in seconds (at least 1). */
void        fc_test_etcd_set_request_timeout (FcTestEtcd *self,
                                              guint       seconds);

/* POSTs @request (not consumed) to @path ("/v3/kv/range", …) on @member;
 * returns the reply (transfer full). A status other than 200 is an error
 * carrying the gateway's message. */
JsonNode   *fc_test_etcd_call               (FcTestEtcd  *self,
                                             guint        member,
                                             const char  *path,
                                             JsonNode    *request,
                                             GError     **error);

gboolean    fc_test_etcd_put                (FcTestEtcd  *self,
                                             guint        member,
                                             const char  *key,
                                             const char  *value,
                                             GError     **error);
/* Retries fc_test_etcd_put() until it succeeds or @timeout_seconds pass
 * (a leader election after a member stopped). */
gboolean    fc_test_etcd_put_within         (FcTestEtcd  *self,
                                             guint        member,
                                             const char  *key,
                                             const char  *value,
                                             guint        timeout_seconds,
                                             GError     **error);
/* The value of @key (linearizable read), or %NULL with no error if absent. */
char       *fc_test_etcd_get                (FcTestEtcd  *self,
                                             guint        member,
                                             const char  *key,
                                             GError     **error);
/* Counts the keys starting with @prefix ("" for every key) with a
 * count_only range read on @member. */
gboolean    fc_test_etcd_count_keys_full    (FcTestEtcd  *self,
                                             guint        member,
                                             const char  *prefix,
                                             guint       *count,
                                             GError     **error);
/* fc_test_etcd_count_keys_full() on the first member that answers (stopped
 * and killed ones skipped); fails the test if none does. */
guint       fc_test_etcd_count_keys         (FcTestEtcd  *self,
                                             const char  *prefix);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FcTestEtcd, fc_test_etcd_free)

/* g_subprocess_wait() without a cancellable, for the fixture and its
 * tests, quiet under ThreadSanitizer (see etcd-fixture.c). */
void        fc_test_subprocess_wait         (GSubprocess  *process);

G_END_DECLS
