# SPDX-License-Identifier: GPL-2.0
# Out-of-tree, ccache-backed kernel and module build with progress. Sourced.

# Both variants build in trees at the same depth with a relative srctree, so
# ccache (paths rewritten below CCACHE_BASEDIR, cwd not hashed: we build
# without -g) shares objects between the variants.
export CCACHE_BASEDIR="$ZC_KBUILD" CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-8G}"

# uname -r tells the variants apart: 6.1.192 (stock), 6.1.192-zcbuf,
# 6.1.192-zcbuf-userptr-off. A set LOCALVERSION also keeps kbuild from
# appending "+" for a git tree.
kmake() {
	local variant=$1 localversion=
	shift
	case "$variant" in
	patched) localversion=-zcbuf ;;
	userptr-off) localversion=-zcbuf-userptr-off ;;
	esac
	make -C "$(tree_dir "$variant")" O="$(out_dir "$variant")" \
		CC="ccache gcc" HOSTCC="ccache gcc" LOCALVERSION="$localversion" "$@"
}

# progress_ticker LOG: print how far the build got every 30 s.
progress_ticker() {
	local log=$1 start=$SECONDS
	while sleep 30; do
		printf '[kernel]   ... %4ds, %5d objects compiled\n' \
			$((SECONDS - start)) "$(grep -c '^  CC ' "$log" 2>/dev/null)"
	done
}

# build_variant VARIANT: bzImage + modules, modules installed under out/modroot.
build_variant() {
	local variant=$1 out log ticker start rc=0 rel
	out=$(out_dir "$variant")
	log="$out/build.log"
	start=$SECONDS
	log "$variant: building bzImage and modules with -j$ZC_JOBS (log: $log)"
	progress_ticker "$log" &
	ticker=$!
	kmake "$variant" -j"$ZC_JOBS" bzImage modules >"$log" 2>&1 || rc=$?
	kill "$ticker" 2>/dev/null
	wait "$ticker" 2>/dev/null || true
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$log" >&2
		die "$variant: kernel build failed (full log: $log)"
	fi
	rel=$(cat "$out/include/config/kernel.release")
	rm -rf "$out/modroot"
	kmake "$variant" -s INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 \
		modules_install >>"$log" 2>&1 ||
		die "$variant: modules_install failed (full log: $log)"
	log "$variant: Linux $rel built in $((SECONDS - start)) s ($(grep -c '^  CC ' "$log") objects compiled)"
}
