/* SPDX-License-Identifier: MIT */
/**
 * @file zodiac.h
 * @brief The umbrella header: includes every public zodiac header.
 *
 * Conventions of every function (see error.h): a fallible call returns ZC_OK, ZC_NOT_FOUND
 * or a negative ZC_E* status; its last parameter, `zc_error *err`, is optional (NULL
 * allowed) and filled on failure; a constructor's out-parameter is NULL after a failure;
 * destructors take `T **`, set it to NULL and are no-ops on NULL. Input strings are
 * copied when kept. Each header says which objects may be shared between threads:
 *
 * - the registry of databases (db.h), models (model.h), zc_value constructors,
 *   zc_strerror() and zc_set_log(): any thread, at any time;
 * - a repository (zc_repo): immutable once open, shared by any number of threads;
 *   zc_repo_close() only after they are all done with it;
 * - a session (zc_session) with its zc_rows and zc_cursor: one thread at a time
 *   (hand it over between threads the way any unshared object is, e.g. through a
 *   mutex or a queue); different sessions run in different threads at once;
 * - the log callback (zc_log_fn): called from whichever thread does the work.
 *
 * tests/check_load.c runs 32 threads on one repository and one admission limit,
 * and scripts/test.sh runs it under ThreadSanitizer (docs/reliability.md).
 */
#ifndef ZODIAC_ZODIAC_H
#define ZODIAC_ZODIAC_H

#define ZC_VERSION_MAJOR 0 /**< incompatible API changes */
#define ZC_VERSION_MINOR 2 /**< compatible additions */
#define ZC_VERSION_PATCH 0 /**< fixes */
/** MAJOR * 10000 + MINOR * 100 + PATCH */
#define ZC_VERSION_NUMBER (ZC_VERSION_MAJOR * 10000 + ZC_VERSION_MINOR * 100 + ZC_VERSION_PATCH)
/** "MAJOR.MINOR.PATCH" */
#define ZC_VERSION_STRING "0.2.0"

#include "common.h"
#include "error.h"
#include "value.h"
#include "model.h"
#include "db.h"
#include "session.h"
#include "repo.h"
#include "txn.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The library's ZC_VERSION_NUMBER, for checking against the header's. */
ZC_API int zc_version_number(void);

#ifdef __cplusplus
}
#endif
#endif
