# SPDX-License-Identifier: MIT
# GStreamer in suites: the zcbuf plugin from this checkout's meson build, and
# the statistics tests/gst/zcbuf-gst-run prints. Sourced.
gst_build=$ZC_REPO/build/meson
gst_runner=$gst_build/tests/gst/zcbuf-gst-run
# a registry of our own: the host's may list another build of the plugin
export GST_REGISTRY=/tmp/gst-registry-zcbuf.bin
export GST_PLUGIN_PATH=$gst_build/gst-plugin
# Only the host plugins the suites use: a registry of all ~100 of them takes
# the first process minutes under TCG.
gst_system_plugins=/tmp/gst-plugins-zcbuf
mkdir -p "$gst_system_plugins"
gst_host_plugins=$(pkg-config --variable=pluginsdir gstreamer-1.0)
for p in coreelements coretracers video4linux2 videotestsrc videoconvertscale videorate png \
	multifile; do
	ln -sf "$gst_host_plugins/libgst$p.so" "$gst_system_plugins/"
done
export GST_PLUGIN_SYSTEM_PATH_1_0=$gst_system_plugins

# gst_stat FILE ELEMENT KEY: a statistic zcbuf-gst-run printed into FILE at EOS
# ("stats zcbufsrc0 frames=8 copies=0 ...")
gst_stat() {
	awk -v e="$2" -v k="$3" '$1 == "stats" && $2 == e {
		for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }' "$1"
}

# gst_stats_differ FILE: the elements whose zcbuf-stats message at EOS
# ("eos-stats") differs from their properties ("stats"), or has none
gst_stats_differ() {
	awk '$1 == "stats" || $1 == "eos-stats" { k = $1; e = $2; $1 = $2 = ""; v[k, e] = $0 }
	     $1 == "stats" { els[e] = 1 }
	     END { for (e in els) if (v["stats", e] != v["eos-stats", e]) printf " %s", e }' "$1"
}
