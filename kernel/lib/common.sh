# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the kernel build scripts. Sourced, not run.

ZC_KERNEL_VERSION="6.1.192"
ZC_TARBALL="${ZC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}"
ZC_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ZC_BUILD="${ZC_BUILD:-$ZC_REPO/build}"
ZC_KBUILD="$ZC_BUILD/kernel"
# The stock tree is a git repository whose first commit is the tarball; the
# patched tree is a worktree of it.
ZC_BASE_TAG="v$ZC_KERNEL_VERSION-debian"
# "stock" is the base plus kernel/base-fixes (bugs of 6.1.192 the test bed
# trips over, not part of the series); "zcbuf" is stock plus the series.
ZC_STOCK_BRANCH="stock"
ZC_PATCH_BRANCH="zcbuf"
# Fixed identity and dates so that the base commit and every patch commit get
# the same hash on every machine (git format-patch then regenerates the series).
export GIT_AUTHOR_NAME="zcbuf build" GIT_AUTHOR_EMAIL="zcbuf@localhost"
export GIT_COMMITTER_NAME="zcbuf build" GIT_COMMITTER_EMAIL="zcbuf@localhost"
ZC_FIXED_DATE="2025-01-01T00:00:00+0000"
# Reproducible kernel build identity.
export KBUILD_BUILD_TIMESTAMP="$ZC_FIXED_DATE" KBUILD_BUILD_USER=zcbuf
export KBUILD_BUILD_HOST=zcbuf KBUILD_BUILD_VERSION=1

log() { printf '[kernel %(%H:%M:%S)T] %s\n' -1 "$*"; }
die() { printf '[kernel] ERROR: %s\n' "$*" >&2; exit 1; }

# The variants: "stock", "patched" (the series, with every option the test
# bed enables), and "userptr-off": the patched tree built with
# CONFIG_VIDEOBUF2_USERPTR_DMABUF off, the option's default, where USERPTR
# must behave as on stock.
# "kcsan" is the patched tree with KCSAN in place of KASAN, built only on
# demand (kernel/build kcsan): the data-race flavour of the long mode.
ZC_VARIANTS=(patched stock userptr-off)
ZC_EXTRA_VARIANTS=(kcsan)
# tree_dir VARIANT -> source tree: "stock", or "patched" for all others
tree_dir() {
	case "$1" in
	userptr-off|kcsan) echo "$ZC_KBUILD/patched" ;;
	*) echo "$ZC_KBUILD/$1" ;;
	esac
}
# out_dir VARIANT -> object tree; a direct subdirectory of the source tree so
# that kbuild uses the relative srctree ".." and ccache hits across variants.
out_dir() {
	case "$1" in
	userptr-off|kcsan) echo "$ZC_KBUILD/patched/out-$1" ;;
	*) echo "$ZC_KBUILD/$1/out" ;;
	esac
}

# Hash of a list of files' contents (and names), for rebuild stamps.
hash_files() { cat "$@" | sha256sum | cut -d' ' -f1; }
