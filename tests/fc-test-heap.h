/* fc-test-heap.h — the heap in use, for the tests and the benchmarks that
 * bound what the library keeps (header-only).
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <malloc.h>

#include <glib.h>

/* The heap in use, from mallinfo2() (glibc >= 2.33); 0 where it is not
 * known, or where a sanitizer or valgrind replaces malloc. With
 * G_SLICE=always-malloc, GSlice's blocks (GObjects among them) count too. */
static inline gint64
fc_test_heap_in_use (void)
{
#if defined (__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 info = mallinfo2 ();

  return (gint64) info.uordblks + (gint64) info.hblkhd;
#else
  return 0;
#endif
}
