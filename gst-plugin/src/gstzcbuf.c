// SPDX-License-Identifier: LGPL-2.1-or-later
/* The zcbuf plugin: zero-copy V4L2 elements built on libzcbuf. */
#include <gst/gst.h>

#include "gstzcbufconvert.h"
#include "gstzcbufsrc.h"

static gboolean plugin_init(GstPlugin *plugin)
{
	return gst_zcbuf_src_register(plugin) && gst_zcbuf_convert_register(plugin);
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, zcbuf,
		  "Zero-copy V4L2 elements through dma-buf, with copy counters",
		  plugin_init, VERSION, "LGPL", "zcbuf", "https://localhost/zcbuf")
