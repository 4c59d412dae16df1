// SPDX-License-Identifier: LGPL-2.1-or-later
/* The zcbuf plugin: zero-copy V4L2 elements built on libzcbuf. */
#include <gst/gst.h>

static gboolean plugin_init(GstPlugin *plugin)
{
	(void)plugin;
	return TRUE;
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, zcbuf,
		  "Zero-copy V4L2 buffer exchange through dma-buf",
		  plugin_init, VERSION, "LGPL", "zcbuf", "https://localhost/zcbuf")
