// SPDX-License-Identifier: LGPL-2.1-or-later
/* The properties and statistics zcbufsrc and zcbufconvert share. */
#include "zcbuf-common.h"

GType zcbuf_import_mode_get_type(void)
{
	static GType type;
	static const GEnumValue values[] = {
		{ ZCBUF_MEMORY_AUTO, "Probe: DMABUF, else USERPTR, else copy (unless strict)",
		  "auto" },
		{ ZCBUF_MEMORY_DMABUF, "V4L2 DMABUF: the dma-buf fd", "dmabuf" },
		{ ZCBUF_MEMORY_USERPTR,
		  "V4L2 USERPTR: the dma-buf's CPU mapping (Linux 6.1 needs the zcbuf series), "
		  "or zcbufconvert's upstream system memory",
		  "userptr" },
		{ 0, NULL, NULL },
	};

	if (g_once_init_enter(&type))
		g_once_init_leave(&type, g_enum_register_static("GstZcbufImportMode", values));
	return type;
}

static GParamSpec *stat_spec(const gchar *name, const gchar *blurb)
{
	return g_param_spec_uint64(name, name, blurb, 0, G_MAXUINT64, 0,
				   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

void zcbuf_common_install(GObjectClass *klass, const gchar *default_device, const gchar *what)
{
	const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
			       GST_PARAM_MUTABLE_READY;

	g_object_class_install_property(klass, ZCBUF_PROP_DEVICE,
		g_param_spec_string("device", "Device", what, default_device, rw));
	g_object_class_install_property(klass, ZCBUF_PROP_IMPORT_MODE,
		g_param_spec_enum("import-mode", "Import mode",
				  "How V4L2 takes buffers it did not allocate; explicit modes "
				  "fail with the reason instead of falling back",
				  zcbuf_import_mode_get_type(), ZCBUF_MEMORY_AUTO, rw));
	g_object_class_install_property(klass, ZCBUF_PROP_STRICT,
		g_param_spec_boolean("strict", "Strict",
				     "Post an error instead of copying a frame", FALSE, rw));
	g_object_class_install_property(klass, ZCBUF_PROP_FRAMES,
		stat_spec("frames", "Frames pushed downstream since start"));
	g_object_class_install_property(klass, ZCBUF_PROP_COPIES,
		stat_spec("copies", "Frames copied by the CPU since start (0 on zero-copy paths)"));
	g_object_class_install_property(klass, ZCBUF_PROP_BYTES_COPIED,
		stat_spec("bytes-copied", "Bytes copied by the CPU since start"));
	g_object_class_install_property(klass, ZCBUF_PROP_IMPORTS,
		stat_spec("imports", "Buffers queued to V4L2 by DMABUF or USERPTR import"));
	g_object_class_install_property(klass, ZCBUF_PROP_IMPORT_CACHE_MISSES,
		stat_spec("import-cache-misses",
			  "Imports whose dma-bufs had no V4L2 index yet (the kernel maps them)"));
	g_object_class_install_property(klass, ZCBUF_PROP_IMPORT_PATH,
		g_param_spec_string("import-path", "Import path",
				    "How the device gets its memory: dmabuf, userptr, mmap "
				    "(its own buffers, exported), copy; none before streaming",
				    "none", G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

void zcbuf_common_init(struct zcbuf_common *c, const gchar *default_device)
{
	c->device = g_strdup(default_device);
	c->import_mode = ZCBUF_MEMORY_AUTO;
	c->import_path = "none";
}

void zcbuf_common_finalize(struct zcbuf_common *c)
{
	g_free(c->device);
}

gboolean zcbuf_common_set_property(GObject *obj, struct zcbuf_common *c, guint prop_id,
				   const GValue *value)
{
	GST_OBJECT_LOCK(obj);
	switch (prop_id) {
	case ZCBUF_PROP_DEVICE:
		g_free(c->device);
		c->device = g_value_dup_string(value);
		break;
	case ZCBUF_PROP_IMPORT_MODE:
		c->import_mode = g_value_get_enum(value);
		break;
	case ZCBUF_PROP_STRICT:
		c->strict = g_value_get_boolean(value);
		break;
	default:
		GST_OBJECT_UNLOCK(obj);
		return FALSE;
	}
	GST_OBJECT_UNLOCK(obj);
	return TRUE;
}

gboolean zcbuf_common_get_property(GObject *obj, struct zcbuf_common *c, guint prop_id,
				   GValue *value)
{
	gboolean known = TRUE;

	GST_OBJECT_LOCK(obj);
	switch (prop_id) {
	case ZCBUF_PROP_DEVICE: g_value_set_string(value, c->device); break;
	case ZCBUF_PROP_IMPORT_MODE: g_value_set_enum(value, c->import_mode); break;
	case ZCBUF_PROP_STRICT: g_value_set_boolean(value, c->strict); break;
	case ZCBUF_PROP_FRAMES: g_value_set_uint64(value, c->frames); break;
	case ZCBUF_PROP_COPIES: g_value_set_uint64(value, c->copies); break;
	case ZCBUF_PROP_BYTES_COPIED: g_value_set_uint64(value, c->bytes_copied); break;
	case ZCBUF_PROP_IMPORTS: g_value_set_uint64(value, c->imports); break;
	case ZCBUF_PROP_IMPORT_CACHE_MISSES: g_value_set_uint64(value, c->cache_misses); break;
	case ZCBUF_PROP_IMPORT_PATH: g_value_set_string(value, c->import_path); break;
	default: known = FALSE;
	}
	GST_OBJECT_UNLOCK(obj);
	return known;
}

void zcbuf_common_reset_stats(GObject *obj, struct zcbuf_common *c)
{
	GST_OBJECT_LOCK(obj);
	c->frames = c->copies = c->bytes_copied = c->imports = c->cache_misses = 0;
	c->import_path = "none";
	GST_OBJECT_UNLOCK(obj);
}

const gchar *zcbuf_common_path_name(struct zcbuf_queue *queue)
{
	enum zcbuf_memory memory = ZCBUF_MEMORY_AUTO;
	int copying = 0;

	zcbuf_queue_get_memory(queue, &memory, &copying);
	if (copying)
		return "copy";
	switch (memory) {
	case ZCBUF_MEMORY_DMABUF: return "dmabuf";
	case ZCBUF_MEMORY_USERPTR: return "userptr";
	case ZCBUF_MEMORY_MMAP: return "mmap";
	default: return "none";
	}
}

void zcbuf_common_account(GObject *obj, struct zcbuf_common *c, struct zcbuf_queue *queue,
			  guint64 frames, guint64 own_copies, guint64 own_bytes)
{
	struct zcbuf_queue_stats st = { 0 };
	const gchar *path = zcbuf_common_path_name(queue);
	gboolean imports = g_str_equal(path, "dmabuf") || g_str_equal(path, "userptr");

	zcbuf_queue_get_stats(queue, &st);
	GST_OBJECT_LOCK(obj);
	c->frames += frames;
	/* the queue counts since its setup, which is once per stream */
	c->copies = st.copied_frames + own_copies;
	c->bytes_copied = st.copied_bytes + own_bytes;
	c->imports = imports ? st.queued : 0;
	c->cache_misses = imports ? st.cache_misses : 0;
	c->import_path = own_copies ? "copy" : path;
	GST_OBJECT_UNLOCK(obj);
}

void zcbuf_common_post_stats(GstElement *el, struct zcbuf_common *c)
{
	GstStructure *s;

	GST_OBJECT_LOCK(el);
	s = gst_structure_new("zcbuf-stats", "frames", G_TYPE_UINT64, c->frames,
			      "copies", G_TYPE_UINT64, c->copies,
			      "bytes-copied", G_TYPE_UINT64, c->bytes_copied,
			      "imports", G_TYPE_UINT64, c->imports,
			      "import-cache-misses", G_TYPE_UINT64, c->cache_misses,
			      "import-path", G_TYPE_STRING, c->import_path, NULL);
	GST_OBJECT_UNLOCK(el);
	gst_element_post_message(el, gst_message_new_element(GST_OBJECT(el), s));
}

int zcbuf_common_open(GstElement *el, struct zcbuf_common *c, struct zcbuf_ctx **ctx,
		      struct zcbuf_device **dev, gchar **device)
{
	int ret;

	*device = NULL;
	zcbuf_common_reset_stats(G_OBJECT(el), c);
	ret = zcbuf_ctx_new(ctx);
	if (ret) {
		GST_ELEMENT_ERROR(el, RESOURCE, FAILED, ("libzcbuf: no context"), (NULL));
		return ret;
	}
	GST_OBJECT_LOCK(el);
	*device = g_strdup(c->device);
	GST_OBJECT_UNLOCK(el);
	return zcbuf_device_open(*ctx, *device, dev);
}

int zcbuf_common_export_mmap(struct zcbuf_queue *queue, guint count, guint max,
			     struct zcbuf_buffer **slots, guint *n)
{
	int ret = zcbuf_queue_setup(queue, ZCBUF_MEMORY_MMAP, count, NULL, 0);

	while (ret > 0 && *n < (guint)ret && *n < max) {
		int err = zcbuf_queue_export(queue, *n, &slots[*n]);

		if (err)
			return err;
		++*n;
	}
	return ret;
}
