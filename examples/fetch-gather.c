/* fetch-gather.c — fetch several things at once with FcGather and fc_run().
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Sleeps stand in for I/O. Three "fetches" run concurrently and are gathered
 * with return_exceptions, so every result comes back in its slot; a fourth,
 * slow one runs under a wait-for timeout and is cancelled. fc_run() drives
 * the whole thing from a plain synchronous main().
 */

#include <stdio.h>

#include <foundation-concurrency.h>

typedef struct
{
  const char *name;
  double      seconds;  /* how long the "download" takes */
  gboolean    fails;
} Resource;

static const Resource resources[] = {
  { "profile.json", 0.20, FALSE },
  { "avatar.png",   0.10, FALSE },
  { "missing.txt",  0.05, TRUE  },
};

static const Resource slow_resource = { "huge-archive.tar", 5.0, FALSE };

/* One fetch, reporting into one slot of a gather. */
typedef struct
{
  FcGather       *gather;
  guint           slot;
  const Resource *resource;
} Fetch;

static void
fetch_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(GError) error = NULL;

  if (fc_sleep_finish (result, &error) && fetch->resource->fails)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "%s: not found", fetch->resource->name);

  if (error != NULL)
    {
      fc_gather_return_error (fetch->gather, fetch->slot, error);
    }
  else
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, G_TYPE_STRING);
      g_value_take_string (&value, g_strdup_printf ("%s: %d bytes", fetch->resource->name,
                                                    (int) (fetch->resource->seconds * 10000)));
      fc_gather_return_value (fetch->gather, fetch->slot, &value);
    }

  g_object_unref (fetch->gather);
  g_free (fetch);
}

static void
fetch_start (FcGather       *gather,
             const Resource *resource)
{
  Fetch *fetch = g_new0 (Fetch, 1);

  fetch->gather = g_object_ref (gather);
  fetch->slot = fc_gather_add (gather);
  fetch->resource = resource;
  fc_sleep_async (resource->seconds, fc_gather_get_cancellable (gather), fetch_done, fetch);
}

/* The whole program's asynchronous part: two gathers, one after the other. */
typedef struct
{
  FcGather *run_gather;  /* fc_run()'s, to report the summary into */
  guint     run_slot;
  GString  *report;
} Program;

static void
program_finish (Program *program)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, program->report->str);
  fc_gather_return_value (program->run_gather, program->run_slot, &value);

  g_string_free (program->report, TRUE);
  g_object_unref (program->run_gather);
  g_free (program);
}

static void
slow_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Program *program = user_data;
  g_autoptr(GPtrArray) outcomes = NULL;
  g_autoptr(GError) error = NULL;

  outcomes = fc_gather_wait_finish (FC_GATHER (source), result, &error);
  if (outcomes != NULL)
    g_string_append_printf (program->report, "  %s arrived in time\n", slow_resource.name);
  else
    g_string_append_printf (program->report, "  %s: %s (fetch cancelled)\n",
                            slow_resource.name, error->message);

  program_finish (program);
}

static void
batch_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Program *program = user_data;
  g_autoptr(GPtrArray) outcomes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FcGather) slow = NULL;

  outcomes = fc_gather_wait_finish (FC_GATHER (source), result, &error);
  g_assert_no_error (error);  /* return_exceptions: errors are in the slots */

  g_string_append (program->report, "Concurrent fetches, in request order:\n");
  for (guint i = 0; i < outcomes->len; i++)
    {
      FcOutcome *outcome = g_ptr_array_index (outcomes, i);

      if (fc_outcome_is_error (outcome))
        g_string_append_printf (program->report, "  [%u] failed: %s\n",
                                i, fc_outcome_get_error (outcome)->message);
      else
        g_string_append_printf (program->report, "  [%u] ok:     %s\n",
                                i, g_value_get_string (fc_outcome_get_value (outcome)));
    }

  g_string_append (program->report, "Slow fetch under a 0.3 s timeout:\n");
  slow = fc_gather_new (FALSE);
  fetch_start (slow, &slow_resource);
  fc_gather_wait_async (slow, 0.3, NULL, slow_done, program);
}

static void
program_main (FcGather *gather,
              guint     slot,
              gpointer  user_data)
{
  Program *program = g_new0 (Program, 1);
  g_autoptr(FcGather) batch = fc_gather_new (TRUE);

  program->run_gather = g_object_ref (gather);
  program->run_slot = slot;
  program->report = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (resources); i++)
    fetch_start (batch, &resources[i]);
  fc_gather_wait_async (batch, 10.0, NULL, batch_done, program);
}

int
main (void)
{
  g_auto(GValue) report = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  if (!fc_run (program_main, NULL, FC_RUN_DEBUG, &report, &error))
    {
      fprintf (stderr, "fetch-gather: %s\n", error->message);
      return 1;
    }

  fputs (g_value_get_string (&report), stdout);
  printf ("Done in %.2f s: the batch took as long as its slowest fetch, "
          "the slow fetch as long as its timeout.\n",
          (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  return 0;
}
