# SPDX-License-Identifier: GPL-2.0
# atcp: TCP (RFC 9293) over IP protocol 253, as a loadable kernel module.
#
#   make                  build module/atcp.ko for the test kernel
#   make KDIR=/lib/modules/$(uname -r)/build    ... for another kernel tree
#   make KVER=6.12        ... for Debian 12's 6.12 kernel
#   make KERNEL=debug     ... for the newest (sid) kernel, KASAN/lockdep build
#   make check [T=name]   run the selftests in the VM
#   make demo             show atcp at work in the VM
#   make bench            atcp against Linux TCP in the VM (build/bench/)
#   make netem            transfers through netem loss, reordering, ..., 100 MB
#   make stress           the stress suite, long, on the debug kernel
#                         (STRESS_SECONDS=1200; KERNEL= for 6.1)
#   make fuzz             the hostile-peer fuzzer in the VM, FUZZ_SECONDS
#                         (1800) on the debug kernel (KVER=/KERNEL= choose)
#   make fuzz-user        libFuzzer on the pure logic, FUZZ_USER_SECONDS (120)
#   make fuzz-replay      replay the libFuzzer corpus and crashers (host)
#   make lint             sparse (C=2), W=1 and checkpatch --strict
#   make install          the modules for the running kernel (KVER=<release>
#                         or KDIR= for another), atcp-run and <linux/atcp.h>
#                         under PREFIX (/usr/local); make uninstall
#   make dkms-install     the same through DKMS (/usr/src/atcp-<version>),
#                         rebuilt on kernel upgrades; make dkms-remove
#   make dkms-check       build with DKMS for 6.1 and 6.12 in a private tree
#   make clean

ATCP_CACHE ?= $(HOME)/.cache/atcp
export ATCP_CACHE
# atcp's version: written once, as dkms.conf's PACKAGE_VERSION.
ATCP_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' \
	$(dir $(lastword $(MAKEFILE_LIST)))dkms.conf)
# make install / dkms-install: the running kernel unless KVER= or KDIR= is
# given.  KVER is a test kernel's name (6.1, 6.12) or a release with a
# /lib/modules/<release>/build.
ifneq ($(filter install modules-install uninstall dkms-install,$(MAKECMDGOALS)),)
ifeq ($(origin KVER)$(origin KDIR),undefinedundefined)
KVER := $(shell uname -r)
endif
endif
KVER ?= 6.1
# make stress runs on the debug kernel unless KERNEL is given (KERNEL= : 6.1)
ifneq ($(filter stress,$(MAKECMDGOALS)),)
ifeq ($(origin KERNEL),undefined)
KERNEL := debug
endif
endif
ifeq ($(KERNEL),debug)
KNAME := debug
else
KNAME := $(KVER)
endif
ifneq ($(filter 6.1 6.12 debug,$(KNAME)),)
KDIR ?= $(ATCP_CACHE)/k/$(KNAME)/build
else
KDIR ?= /lib/modules/$(KVER)/build
endif
KSRC := $(ATCP_CACHE)/src/linux
export KVER KERNEL

SRCS := $(filter-out %.mod.c,$(wildcard module/*.c module/cc/*.c)) \
	$(wildcard module/*.h) include/uapi/linux/atcp.h

all: modules

# Objects built for another kernel tree are removed first.
modules:
	@if [ "$$(cat module/.atcp-kdir 2>/dev/null)" != "$(KDIR)" ]; then \
		rm -f module/*.o module/*.ko module/*.mod module/*.mod.c \
		      module/.*.cmd module/modules.order modules.order \
		      module/cc/*.o module/cc/*.ko module/cc/*.mod \
		      module/cc/*.mod.c module/cc/.*.cmd \
		      module/cc/modules.order Module.symvers .*.cmd; \
	fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	@echo "$(KDIR)" > module/.atcp-kdir

setup:
	@scripts/setup

debug-kernel:
	@if [ "$(KNAME)" = debug ]; then scripts/build-kernel; fi

selftests:
	$(MAKE) -C selftests KSRC=$(KSRC)

check: setup debug-kernel
	$(MAKE) modules
	$(MAKE) selftests
	$(MAKE) tools
	@if [ -z "$(T)" ]; then $(MAKE) fuzz-replay; fi
	scripts/check $(T)

# make fuzz: the debug kernel unless KVER= or KERNEL= is given.
FUZZ_SECONDS ?= 1800
FUZZ_USER_SECONDS ?= 120
ifeq ($(origin KVER)$(KERNEL),file)
FUZZ_KERNEL := debug
else
FUZZ_KERNEL := $(KERNEL)
endif

fuzz:
	$(MAKE) fuzz-vm KERNEL=$(FUZZ_KERNEL)

fuzz-vm: setup debug-kernel
	$(MAKE) modules
	$(MAKE) selftests
	scripts/vm -t $$(($(FUZZ_SECONDS) + 1200)) -- \
		'FUZZ_SECONDS=$(FUZZ_SECONDS) $(if $(FUZZ_SEED),FUZZ_SEED=$(FUZZ_SEED)) bash selftests/fuzz.sh'

fuzz-user:
	$(MAKE) -C tools/fuzz run FUZZ_USER_SECONDS=$(FUZZ_USER_SECONDS)

fuzz-replay:
	$(MAKE) -C tools/fuzz replay

demo: setup
	$(MAKE) modules
	scripts/vm -t 600 scripts/demo

# tools/atcp-run's LD_PRELOAD library (the guest shares the host's root).
build/libatcp-run.so: tools/libatcp-run.c include/uapi/linux/atcp.h
	@mkdir -p build
	$(CC) -O2 -g -Wall -Wextra -shared -fPIC -D_GNU_SOURCE \
		-Iinclude/uapi -o $@ $< -ldl

# the protocol translator of tools/atcp-xlate (tc BPF, clang -target bpf)
build/atcp_xlate.o: tools/xlate/atcp_xlate.bpf.c
	@mkdir -p build
	clang -O2 -g -Wall -target bpf \
		-I/usr/include/$$(gcc -dumpmachine) -c -o $@ $<

tools: build/libatcp-run.so build/atcp_xlate.o

# The load generator runs in the guest, which shares the host's root.
build/atcp-bench: tools/atcp-bench.c include/uapi/linux/atcp.h
	@mkdir -p build
	$(CC) -O2 -g -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE \
		-Iinclude/uapi -pthread -o $@ $<

bench: setup debug-kernel
	$(MAKE) modules
	$(MAKE) build/atcp-bench tools
	scripts/bench
# selftests/stress.sh for STRESS_SECONDS (split between its loopback, veth
# and veth+netem runs), atcp only; Documentation/testing.rst.
STRESS_SECONDS ?= 1200
stress: setup debug-kernel
	$(MAKE) modules
	$(MAKE) selftests
	scripts/vm -t $$(($(STRESS_SECONDS) + 2400)) -- \
		STRESS_SECONDS=$(STRESS_SECONDS) STRESS_PROTOS=atcp \
		bash selftests/stress.sh

# selftests/netem.sh with NETEM_MB (100) each way, both stacks, 6.1 unless
# KVER=/KERNEL= say otherwise (issue 9's transfers under loss).
NETEM_MB ?= 100
netem: setup debug-kernel
	$(MAKE) modules
	$(MAKE) selftests
	scripts/vm -t 21600 -- NETEM_MB=$(NETEM_MB) bash selftests/netem.sh

# Ignored: LINUX_VERSION_CODE and CONSTANT_COMPARISON (module/compat.h is
# the one place version tests live, as an out-of-tree module needs),
# OPEN_ENDED_LINE (the TRACE_EVENT() layout every kernel trace header has),
# ALLOC_WITH_SIZEOF (it asks for kzalloc_obj(), which 6.1 and 6.12 lack)
# and CONST_STRUCT (per-netns sysctl tables are writable copies); in
# tools/fuzz also CAMELCASE (libFuzzer's LLVMFuzzerTestOneInput).
CHECKPATCH_IGNORE := LINUX_VERSION_CODE,CONSTANT_COMPARISON,OPEN_ENDED_LINE
CHECKPATCH_IGNORE := $(CHECKPATCH_IGNORE),ALLOC_WITH_SIZEOF,CONST_STRUCT

checkpatch:
	$(KSRC)/scripts/checkpatch.pl --strict --no-tree --terse \
		--ignore $(CHECKPATCH_IGNORE) -f $(SRCS) $(wildcard selftests/*.c tools/*.c) \
		selftests/helpers/fuzz.c selftests/helpers/iop_peer.c
	$(KSRC)/scripts/checkpatch.pl --strict --no-tree --terse \
		--ignore $(CHECKPATCH_IGNORE),CAMELCASE -f $(wildcard tools/fuzz/*.[ch])

lint:
	$(MAKE) clean
	@mkdir -p build
	$(MAKE) C=2 W=1 modules 2>&1 | tee build/lint.log
	@! grep -E 'warning|error' build/lint.log
	$(MAKE) checkpatch

# -- installing on a user's machine (Documentation/getting-started.rst) ------
PREFIX ?= /usr/local
# The release the modules are for, as their vermagic carries it (UTS_RELEASE):
# Debian's 6.1 headers give include/config/kernel.release as the upstream
# version (6.1.192), so modules_install is told KERNELRELEASE, as DKMS does.
KREL = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)".*/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

kernel-headers:
	@[ -n "$(KREL)" ] || { echo "atcp: no kernel headers at $(KDIR)" \
		"(apt-get install linux-headers-$(KVER), or give KDIR=)" >&2; exit 1; }

# Headers without the kernel's signing key (Debian's: the key never leaves
# the build) cannot sign: modules_install would try, print SSL errors and
# install the module unsigned anyway, so it is told not to.
MOD_SIG_KEY = $(shell sed -n 's/^CONFIG_MODULE_SIG_KEY="\(.*\)"/\1/p' \
	$(KDIR)/.config 2>/dev/null)
NO_SIGN = $(if $(wildcard $(KDIR)/$(MOD_SIG_KEY) $(MOD_SIG_KEY)),,CONFIG_MODULE_SIG_ALL=)

# modules_install keeps the tree's layout: extra/module/atcp.ko and
# extra/module/cc/atcp_highspeed.ko.  depmod unless staging in DESTDIR.
modules-install: kernel-headers modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) KERNELRELEASE=$(KREL) $(NO_SIGN) \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	$(if $(DESTDIR),,depmod -a $(KREL))

install-tools: build/libatcp-run.so
	install -D -m 0755 tools/atcp-run $(DESTDIR)$(PREFIX)/bin/atcp-run
	install -D -m 0755 build/libatcp-run.so \
		$(DESTDIR)$(PREFIX)/lib/atcp/libatcp-run.so
	install -D -m 0644 include/uapi/linux/atcp.h \
		$(DESTDIR)$(PREFIX)/include/linux/atcp.h

install: modules-install install-tools

uninstall-tools:
	rm -f $(DESTDIR)$(PREFIX)/bin/atcp-run \
		$(DESTDIR)$(PREFIX)/lib/atcp/libatcp-run.so \
		$(DESTDIR)$(PREFIX)/include/linux/atcp.h
	rmdir $(DESTDIR)$(PREFIX)/lib/atcp 2>/dev/null || true

uninstall: kernel-headers uninstall-tools
	rm -f $(DESTDIR)/lib/modules/$(KREL)/extra/module/atcp.ko* \
		$(DESTDIR)/lib/modules/$(KREL)/extra/module/cc/atcp_highspeed.ko*
	rmdir -p $(DESTDIR)/lib/modules/$(KREL)/extra/module/cc 2>/dev/null || true
	$(if $(DESTDIR),,depmod -a $(KREL))

# DKMS: the sources dkms.conf builds from, copied to /usr/src/atcp-<version>.
DKMS_SRC ?= /usr/src/atcp-$(ATCP_VERSION)
DKMS_FILES = dkms.conf Kbuild Makefile include/uapi/linux/atcp.h \
	module/Kbuild module/cc/Kbuild \
	$(filter-out %.mod.c,$(wildcard module/*.[ch] module/cc/*.[ch]))

dkms-source:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp --parents $(DKMS_FILES) $(DKMS_SRC)/

# A second dkms-install of the same version replaces the sources and
# rebuilds; DKMS rebuilds for each new kernel (AUTOINSTALL).
dkms-install: kernel-headers install-tools
	if dkms status -m atcp -v $(ATCP_VERSION) | grep -q .; then \
		dkms remove atcp/$(ATCP_VERSION) --all; fi
	$(MAKE) dkms-source
	dkms add atcp/$(ATCP_VERSION)
	dkms install atcp/$(ATCP_VERSION) -k $(KREL) --kernelsourcedir $(KDIR)

dkms-remove: uninstall-tools
	if dkms status -m atcp -v $(ATCP_VERSION) | grep -q .; then \
		dkms remove atcp/$(ATCP_VERSION) --all; fi
	rm -rf $(DKMS_SRC)

# CI: DKMS builds for 6.1 and 6.12 in a private tree (scripts/dkms-check).
dkms-check:
	scripts/dkms-check

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || \
		rm -f module/*.o module/*.ko module/*.mod* module/.*.cmd \
		      module/cc/*.o module/cc/*.ko module/cc/*.mod* \
		      module/cc/.*.cmd
	rm -f module/.atcp-kdir
	$(MAKE) -C selftests clean
	$(MAKE) -C tools/fuzz clean
	rm -rf build/selftests build/atcp-bench build/libatcp-run.so build/atcp_xlate.o \
		build/dkms-check

.PHONY: all modules setup debug-kernel selftests tools check demo bench stress netem \
	checkpatch lint clean fuzz fuzz-vm fuzz-user fuzz-replay \
	kernel-headers modules-install install-tools install uninstall-tools \
	uninstall dkms-source dkms-install dkms-remove dkms-check
