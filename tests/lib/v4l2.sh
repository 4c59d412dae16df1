# SPDX-License-Identifier: MIT
# Find V4L2 and media device nodes without udev (the guest has none, so the
# /dev/char links that "v4l2-ctl -z bus-info -d name" relies on are missing).
# Sourced.

# v4l2_node NAME: the /dev/videoN whose video device is called NAME.
v4l2_node() {
	local d
	for d in /sys/class/video4linux/video*; do
		[ "$(cat "$d/name" 2>/dev/null)" = "$1" ] && { echo "/dev/${d##*/}"; return 0; }
	done
	echo "v4l2_node: no video node named '$1'" >&2
	return 1
}

# media_node BUS_INFO: the /dev/mediaN whose bus info is BUS_INFO
# (e.g. platform:vivid-000, platform:vim2m).
media_node() {
	local m
	for m in /dev/media*; do
		[ -e "$m" ] || continue
		if media-ctl -d "$m" -p 2>/dev/null | grep -qx "bus info *$1"; then
			echo "$m"
			return 0
		fi
	done
	echo "media_node: no media device with bus info '$1'" >&2
	return 1
}
