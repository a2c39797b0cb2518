# Shared settings for atcp's scripts: where the cache lives and which kernel
# a name (6.1, 6.12, debug) stands for.  Sourced, not run.
# shellcheck shell=bash

ATCP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ATCP_CACHE=${ATCP_CACHE:-${HOME:-/root}/.cache/atcp}
export ATCP_TOP ATCP_CACHE

# A kernel name maps to $ATCP_CACHE/k/<name>/ holding:
#   vmlinuz   the kernel image the VM boots
#   release   its `uname -r`
#   modules/  its /lib/modules/<release> tree (depmod-ed)
#   build     the tree modules are built against (headers or full build)
atcp_kname() {
	if [ "${KERNEL:-}" = debug ]; then
		echo debug
	else
		echo "${KVER:-6.1}"
	fi
}

atcp_kdir() {
	echo "$ATCP_CACHE/k/$(atcp_kname)"
}

atcp_die() {
	echo "atcp: $*" >&2
	exit 1
}

# apt-get/apt-cache with a private sid sources list and state, so that
# nothing on the host is installed or upgraded from sid.
atcp_sid_apt() {
	local tool=$1
	shift
	local d=$ATCP_CACHE/apt-sid
	"$tool" -o Dir::Etc::sourcelist="$d/sid.sources" \
		-o Dir::Etc::sourceparts=- \
		-o Dir::State::Lists="$d/lists" \
		-o Dir::State::status="$d/status" \
		-o Dir::Cache="$d/cache" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
}
