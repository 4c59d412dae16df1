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
	local variant=$1 localversion= profile=()
	shift
	case "$variant" in
	patched) localversion=-zcbuf
		mapfile -t profile < <(series_gcov_profile) ;;
	userptr-off|kcsan) localversion=-zcbuf-$variant ;;
	esac
	make -C "$(tree_dir "$variant")" O="$(out_dir "$variant")" \
		CC="ccache gcc" HOSTCC="ccache gcc" LOCALVERSION="$localversion" \
		"${profile[@]}" "$@"
}

# series_gcov_profile: GCOV_PROFILE_<name>.o for every .c file the series
# adds or changes (kernel/configs/coverage.config). kbuild names these by
# object name only, and mm/memory.o shares its name with
# arch/x86/boot/memory.o (real-mode code that cannot call gcov): each is
# set to "y" only in its own directories, through $(obj), which make expands
# in the sub-make that builds the object.
series_gcov_profile() {
	git -C "$(tree_dir patched)" diff --name-only --diff-filter=AM \
		"$ZC_STOCK_BRANCH" "$ZC_PATCH_BRANCH" -- '*.c' |
		awk '{ n = split($0, p, "/"); base = p[n]; sub(/\.c$/, "", base)
		       dir = substr($0, 1, length($0) - length(p[n]) - 1)
		       dirs[base] = dirs[base] " " dir }
		     END { for (b in dirs)
			printf "GCOV_PROFILE_%s.o=$(if $(filter%s,$(obj)),y)\n", b, dirs[b] }' |
		sort
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
