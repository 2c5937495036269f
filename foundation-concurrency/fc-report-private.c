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

guint
fc_debug_flags (void)
{
  static gsize flags = 0;

  if (g_once_init_enter (&flags))
    {
      const GDebugKey keys[] = {
        { "nolockdep", FC_DEBUG_NOLOCKDEP },
        { "watchdog", FC_DEBUG_WATCHDOG },
        { "backtrace", FC_DEBUG_BACKTRACE },
      };
      guint value = g_parse_debug_string (g_getenv ("FC_DEBUG"), keys, G_N_ELEMENTS (keys));

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

/* Manager names by registry id (guint64 * → char *, the key inside the
 * value's allocation), under names_mutex (a leaf). */
static GMutex names_mutex;
static GHashTable *registry_names;

typedef struct
{
  guint64  id;
  char    *name;   /* NULL: the default */
} RegistryName;

static void
registry_name_free (gpointer data)
{
  RegistryName *entry = data;

  g_free (entry->name);
  g_free (entry);
}

void
fc_report_set_registry_name (guint64     registry_id,
                             const char *name)
{
  RegistryName *entry = g_new0 (RegistryName, 1);

  entry->id = registry_id;
  entry->name = g_strdup (name);
  fc_mutex_lock (&names_mutex);
  if (registry_names == NULL)
    registry_names = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, registry_name_free);
  g_hash_table_replace (registry_names, &entry->id, entry);
  fc_mutex_unlock (&names_mutex);
}

char *
fc_report_dup_registry_name (guint64 registry_id)
{
  RegistryName *entry;
  char *name = NULL;

  fc_mutex_lock (&names_mutex);
  entry = registry_names != NULL ? g_hash_table_lookup (registry_names, &registry_id) : NULL;
  if (entry != NULL)
    name = g_strdup (entry->name);
  fc_mutex_unlock (&names_mutex);

  return name != NULL ? name : g_strdup_printf ("manager-%" G_GUINT64_FORMAT, registry_id);
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
  /* MESSAGE must come last: its value is a format. A limit the order
   * graph hit is a notice, not a finding: a program that holds many locks
   * at once is not wrong. */
  g_log_structured (G_LOG_DOMAIN,
                    report->kind == FC_REPORT_ORDER_LIMIT ? G_LOG_LEVEL_MESSAGE : G_LOG_LEVEL_WARNING,
                    "FC_REPORT_KIND", fc_report_kind_name (report->kind),
                    "FC_REPORT_KEY", report->key != NULL ? report->key : "",
                    "MESSAGE", "%s", report->message);

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
