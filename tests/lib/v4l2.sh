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

# tap_refusals_quiet: on the zcbuf kernel, an import that vb2 refuses (a
# dma-buf that cannot be attached, mapped, or used contiguously) is
# userspace's choice of memory: it is an errno, never an error-level log
# line a process could fill the log with. One TAP result.
tap_refusals_quiet() {
	[ "${ZC_KERNEL_VARIANT:-}" = patched ] || return 0
	local found
	found=$(dmesg --level=emerg,alert,crit,err 2>/dev/null |
		grep -cE 'failed to attach dmabuf|Error getting dmabuf scatterlist|contiguous chunk is too small')
	[ "$found" = 0 ]
	tap_result $? "no refused import logged at error level ($found line(s) in dmesg)"
}
