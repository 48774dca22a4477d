/**
 * @file zodiac.h
 * @brief The umbrella header: includes every public zodiac header.
 */
#ifndef ZODIAC_ZODIAC_H
#define ZODIAC_ZODIAC_H

#define ZC_VERSION_MAJOR 0
#define ZC_VERSION_MINOR 1
#define ZC_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH */
#define ZC_VERSION_NUMBER (ZC_VERSION_MAJOR * 10000 + ZC_VERSION_MINOR * 100 + ZC_VERSION_PATCH)
#define ZC_VERSION_STRING "0.1.0"

#include "common.h"
#include "error.h"
#include "value.h"
#include "model.h"
#include "db.h"
#include "session.h"
#include "repo.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The library's ZC_VERSION_NUMBER, for checking against the header's. */
ZC_API int zc_version_number(void);

#ifdef __cplusplus
}
#endif
#endif
