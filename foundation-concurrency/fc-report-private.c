/* fc-report-private.c
 *
 * Copyright 2026 the foundation-concurrency authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "fc-mutex-private.h"
#include "fc-private.h"
#include "fc-report-private.h"

static GMutex listen_mutex;
static GHashTable *listeners;        /* guint64 * → Listener * */

typedef struct
{
  guint64         id;
  FcReportNotify  notify;
  gpointer        user_data;
} Listener;

/* FC_DEBUG's keys, by name; `all` is FC_DEBUG_ALL, not every key (as
 * g_parse_debug_string() would have it). */
static guint
fc_debug_parse (const char *string)
{
  const GDebugKey keys[] = {
    { "nolockdep", FC_DEBUG_NOLOCKDEP },
    { "watchdog", FC_DEBUG_WATCHDOG },
    { "backtrace", FC_DEBUG_BACKTRACE },
    { "fatal", FC_DEBUG_FATAL },
  };
  g_auto(GStrv) tokens = NULL;
  guint value = 0;

  if (string == NULL)
    return 0;

  /* The separators g_parse_debug_string() accepts. */
  tokens = g_strsplit_set (string, ":;, \t", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (tokens[i], "all") == 0)
        value |= FC_DEBUG_ALL;
      else if (tokens[i][0] != '\0')
        value |= g_parse_debug_string (tokens[i], keys, G_N_ELEMENTS (keys));
    }
  return value;
}

guint
fc_debug_flags (void)
{
  static gsize flags = 0;

  if (g_once_init_enter (&flags))
    {
      guint value = fc_debug_parse (g_getenv ("FC_DEBUG"));

      /* Keep a non-zero value in the once-cell. */
      g_once_init_leave (&flags, (gsize) value | 0x80000000u);
    }

  return (guint) flags & ~0x80000000u;
}

/* ---- Reports ---------------------------------------------------------- */

FcReport *
fc_report_new (FcReportKind kind)
{
  FcReport *self = g_new0 (FcReport, 1);

  self->ref_count = 1;
  self->kind = kind;
  self->locks = g_ptr_array_new_with_free_func (g_free);
  self->owners = g_ptr_array_new_with_free_func (g_free);
  self->orders = g_array_new (FALSE, FALSE, sizeof (int));
  self->registries = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->managers = g_ptr_array_new_with_free_func (g_free);
  self->tids = g_array_new (FALSE, FALSE, sizeof (guint64));
  return self;
}

FcReport *
fc_report_ref (FcReport *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
fc_report_unref (FcReport *self)
{
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_free (self->key);
  g_free (self->message);
  g_ptr_array_unref (self->locks);
  g_ptr_array_unref (self->owners);
  g_array_unref (self->orders);
  g_array_unref (self->registries);
  g_ptr_array_unref (self->managers);
  g_array_unref (self->tids);
  g_clear_pointer (&self->stacks, g_ptr_array_unref);
  g_free (self);
}

void
fc_report_add (FcReport   *self,
               FcLockCore *lock,
               const char *owner)
{
  fc_report_add_edge (self, lock, owner, 0, NULL);
}

void
fc_report_add_edge (FcReport   *self,
                    FcLockCore *lock,
                    const char *owner,
                    guint64     tid,
                    const char *stack)
{
  /* The id, immutable, not lock->registry, which its freeing clears. */
  guint64 id = __atomic_load_n (&lock->registry_id, __ATOMIC_ACQUIRE);
  gboolean known = FALSE;

  g_ptr_array_add (self->locks, g_strdup (fc_lock_core_display_name (lock)));
  g_ptr_array_add (self->owners, g_strdup (owner != NULL ? owner : ""));
  g_array_append_val (self->orders, lock->order);
  g_array_append_val (self->tids, tid);
  g_ptr_array_add (self->managers, id != 0 ? fc_report_dup_registry_name (id) : g_strdup (""));
  if (stack != NULL && self->stacks == NULL)
    {
      self->stacks = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 1; i < self->locks->len; i++)
        g_ptr_array_add (self->stacks, g_strdup (""));
    }
  if (self->stacks != NULL)
    g_ptr_array_add (self->stacks, g_strdup (stack != NULL ? stack : ""));

  for (guint i = 0; i < self->registries->len; i++)
    known |= g_array_index (self->registries, guint64, i) == id;
  if (!known && id != 0)
    g_array_append_val (self->registries, id);
}

gboolean
fc_report_involves (FcReport *self,
                    guint64   registry_id)
{
  for (guint i = 0; i < self->registries->len; i++)
    if (g_array_index (self->registries, guint64, i) == registry_id)
      return TRUE;
  return FALSE;
}

static const char *
fc_report_kind_name (FcReportKind kind)
{
  switch (kind)
    {
    case FC_REPORT_LONG_HOLD:
      return "long-hold";
    case FC_REPORT_ORDER_CYCLE:
      return "order-cycle";
    case FC_REPORT_DEADLOCK:
      return "deadlock";
    case FC_REPORT_ORDER_LIMIT:
      return "order-limit";
    case FC_REPORT_UNDELIVERED:
      return "undelivered-grant";
    default:
      g_assert_not_reached ();
    }
}

GVariant *
fc_report_to_variant (FcReport *self)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "kind",
                         g_variant_new_string (fc_report_kind_name (self->kind)));
  g_variant_builder_add (&builder, "{sv}", "message", g_variant_new_string (self->message));
  g_variant_builder_add (&builder, "{sv}", "locks",
                         g_variant_new_strv ((const char * const *) self->locks->pdata,
                                             self->locks->len));
  g_variant_builder_add (&builder, "{sv}", "owners",
                         g_variant_new_strv ((const char * const *) self->owners->pdata,
                                             self->owners->len));
  g_variant_builder_add (&builder, "{sv}", "orders",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, self->orders->data,
                                                    self->orders->len, sizeof (int)));
  g_variant_builder_add (&builder, "{sv}", "managers",
                         g_variant_new_strv ((const char * const *) self->managers->pdata,
                                             self->managers->len));
  g_variant_builder_add (&builder, "{sv}", "tids",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64, self->tids->data,
                                                    self->tids->len, sizeof (guint64)));
  if (self->stacks != NULL)
    g_variant_builder_add (&builder, "{sv}", "stacks",
                           g_variant_new_strv ((const char * const *) self->stacks->pdata,
                                               self->stacks->len));
  return g_variant_builder_end (&builder);
}

/* Manager names and log settings by registry id (guint64 * → entry, the
 * key inside the value's allocation), under names_mutex (a leaf). */
static GMutex names_mutex;
static GHashTable *registry_names;

typedef struct
{
  guint64   id;
  char     *name;    /* NULL: the default */
  gboolean  quiet;   /* its reports are not logged */
} RegistryName;

static void
registry_name_free (gpointer data)
{
  RegistryName *entry = data;

  g_free (entry->name);
  g_free (entry);
}

/* The entry of @registry_id, made if there is none. */
static RegistryName *
registry_name_ensure_locked (guint64 registry_id)
{
  RegistryName *entry;

  if (registry_names == NULL)
    registry_names = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, registry_name_free);
  entry = g_hash_table_lookup (registry_names, &registry_id);
  if (entry == NULL)
    {
      entry = g_new0 (RegistryName, 1);
      entry->id = registry_id;
      g_hash_table_insert (registry_names, &entry->id, entry);
    }
  return entry;
}

static RegistryName *
registry_name_lookup_locked (guint64 registry_id)
{
  return registry_names != NULL ? g_hash_table_lookup (registry_names, &registry_id) : NULL;
}

void
fc_report_set_registry_name (guint64     registry_id,
                             const char *name)
{
  RegistryName *entry;

  fc_mutex_lock (&names_mutex);
  entry = registry_name_ensure_locked (registry_id);
  g_free (entry->name);
  entry->name = g_strdup (name);
  fc_mutex_unlock (&names_mutex);
}

char *
fc_report_dup_registry_name (guint64 registry_id)
{
  RegistryName *entry;
  char *name = NULL;

  fc_mutex_lock (&names_mutex);
  entry = registry_name_lookup_locked (registry_id);
  if (entry != NULL)
    name = g_strdup (entry->name);
  fc_mutex_unlock (&names_mutex);

  return name != NULL ? name : g_strdup_printf ("manager-%" G_GUINT64_FORMAT, registry_id);
}

void
fc_report_set_registry_logs (guint64  registry_id,
                             gboolean logs)
{
  fc_mutex_lock (&names_mutex);
  registry_name_ensure_locked (registry_id)->quiet = !logs;
  fc_mutex_unlock (&names_mutex);
}

gboolean
fc_report_get_registry_logs (guint64 registry_id)
{
  RegistryName *entry;
  gboolean logs;

  fc_mutex_lock (&names_mutex);
  entry = registry_name_lookup_locked (registry_id);
  logs = entry == NULL || !entry->quiet;
  fc_mutex_unlock (&names_mutex);
  return logs;
}

/* Whether @report is logged: unless every registry it involves is quiet
 * (a report of none is always logged). */
static gboolean
fc_report_is_logged (FcReport *report)
{
  gboolean logged = report->registries->len == 0;

  fc_mutex_lock (&names_mutex);
  for (guint i = 0; !logged && i < report->registries->len; i++)
    {
      RegistryName *entry = registry_name_lookup_locked (g_array_index (report->registries, guint64, i));

      logged = entry == NULL || !entry->quiet;
    }
  fc_mutex_unlock (&names_mutex);
  return logged;
}

void
fc_report_forget_registry (guint64 registry_id)
{
  fc_mutex_lock (&names_mutex);
  if (registry_names != NULL)
    g_hash_table_remove (registry_names, &registry_id);
  fc_mutex_unlock (&names_mutex);
}

gboolean
fc_report_names_ambiguous (void)
{
  gboolean ambiguous;

  fc_mutex_lock (&names_mutex);
  ambiguous = registry_names != NULL && g_hash_table_size (registry_names) > 1;
  fc_mutex_unlock (&names_mutex);
  return ambiguous;
}

void
fc_report_listen (guint64        registry_id,
                  FcReportNotify notify,
                  gpointer       user_data)
{
  Listener *listener = g_new0 (Listener, 1);

  listener->id = registry_id;
  listener->notify = notify;
  listener->user_data = user_data;

  fc_mutex_lock (&listen_mutex);
  if (listeners == NULL)
    listeners = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  g_hash_table_replace (listeners, &listener->id, listener);
  fc_mutex_unlock (&listen_mutex);
}

void
fc_report_unlisten (guint64 registry_id)
{
  fc_mutex_lock (&listen_mutex);
  if (listeners != NULL)
    g_hash_table_remove (listeners, &registry_id);
  fc_mutex_unlock (&listen_mutex);
}

void
fc_report_publish (FcReport *report)
{
  /* A limit the order graph hit is a notice, not a finding: a program
   * that holds many locks at once is not wrong. */
  GLogLevelFlags level = report->kind == FC_REPORT_ORDER_LIMIT ? G_LOG_LEVEL_MESSAGE
                                                               : G_LOG_LEVEL_WARNING;
  gboolean logged = fc_report_is_logged (report);

  /* MESSAGE must come last: its value is a format. */
  if (logged)
    g_log_structured (G_LOG_DOMAIN, level,
                      "FC_REPORT_KIND", fc_report_kind_name (report->kind),
                      "FC_REPORT_KEY", report->key != NULL ? report->key : "",
                      "MESSAGE", "%s", report->message);

  /* FC_DEBUG=fatal: a finding logged stops the program, whatever the log
   * writer did with it; a quiet manager's findings do not (a test that
   * expects one turns its manager's log off and listens to the signal). */
  if (logged && level == G_LOG_LEVEL_WARNING && (fc_debug_flags () & FC_DEBUG_FATAL))
    g_abort ();

  /* Listeners only schedule work (they never block nor call user code),
   * so they are called under the mutex that keeps them alive. */
  fc_mutex_lock (&listen_mutex);
  for (guint i = 0; listeners != NULL && i < report->registries->len; i++)
    {
      Listener *listener = g_hash_table_lookup (listeners,
                                                &g_array_index (report->registries, guint64, i));

      if (listener != NULL)
        listener->notify (report, listener->user_data);
    }
  fc_mutex_unlock (&listen_mutex);
}

/* The keys of the reports published once, least recently seen first:
 * a queue for the order, a table (key → its link) to find them. */
static GMutex published_mutex;
static GHashTable *published_keys;   /* char * → GList * in published_order, under published_mutex */
static GQueue published_order = G_QUEUE_INIT;

gboolean
fc_report_publish_once (FcReport *report)
{
  gboolean is_new;
  GList *link;

  fc_mutex_lock (&published_mutex);
  if (published_keys == NULL)
    published_keys = g_hash_table_new (g_str_hash, g_str_equal);
  link = g_hash_table_lookup (published_keys, report->key);
  is_new = link == NULL;
  if (is_new)
    {
      g_queue_push_tail (&published_order, g_strdup (report->key));
      g_hash_table_insert (published_keys, published_order.tail->data, published_order.tail);
      if (published_order.length > FC_REPORT_KEYS_MAX)
        {
          char *oldest = g_queue_pop_head (&published_order);

          g_hash_table_remove (published_keys, oldest);
          g_free (oldest);
        }
    }
  else
    {
      /* Seen again: still current, keep it longest. */
      g_queue_unlink (&published_order, link);
      g_queue_push_tail_link (&published_order, link);
    }
  fc_mutex_unlock (&published_mutex);

  if (is_new)
    fc_report_publish (report);
  return is_new;
}

void
fc_report_forget (const char *key)
{
  GList *link;

  fc_mutex_lock (&published_mutex);
  link = published_keys != NULL ? g_hash_table_lookup (published_keys, key) : NULL;
  if (link != NULL)
    {
      g_hash_table_remove (published_keys, key);
      g_queue_unlink (&published_order, link);
      g_free (link->data);
      g_list_free_1 (link);
    }
  fc_mutex_unlock (&published_mutex);
}

guint
fc_report_n_remembered_keys (void)
{
  guint n;

  fc_mutex_lock (&published_mutex);
  n = published_order.length;
  fc_mutex_unlock (&published_mutex);
  return n;
}
