# SPDX-License-Identifier: GPL-2.0
# atcp: TCP (RFC 9293) over IP protocol 253, as a loadable kernel module.
#
#   make                  build module/atcp.ko for the test kernel
#   make KDIR=/lib/modules/$(uname -r)/build    ... for another kernel tree
#   make KVER=6.12        ... for Debian 12's 6.12 kernel
#   make KERNEL=debug     ... for the newest (sid) kernel, KASAN/lockdep build
#   make check [T=name]   run the selftests in the VM
#   make demo             show atcp at work in the VM
#   make lint             sparse (C=2), W=1 and checkpatch --strict
#   make clean

ATCP_CACHE ?= $(HOME)/.cache/atcp
export ATCP_CACHE
KVER ?= 6.1
ifeq ($(KERNEL),debug)
KNAME := debug
else
KNAME := $(KVER)
endif
KDIR ?= $(ATCP_CACHE)/k/$(KNAME)/build
KSRC := $(ATCP_CACHE)/src/linux
VM_TIMEOUT ?= 1800
export KVER KERNEL VM_TIMEOUT

SRCS := $(filter-out %.mod.c,$(wildcard module/*.c)) $(wildcard module/*.h) \
	include/uapi/linux/atcp.h

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

setup:
	@scripts/setup

debug-kernel:
	@if [ "$(KNAME)" = debug ]; then scripts/build-kernel; fi

selftests:
	$(MAKE) -C selftests KSRC=$(KSRC)

check: setup debug-kernel
	$(MAKE) modules
	$(MAKE) selftests
	scripts/check $(T)

demo: setup
	$(MAKE) modules
	scripts/vm -t 600 scripts/demo

checkpatch:
	$(KSRC)/scripts/checkpatch.pl --strict --no-tree --terse -f $(SRCS) $(wildcard selftests/*.c tools/*.c)

lint:
	$(MAKE) clean
	@mkdir -p build
	$(MAKE) C=2 W=1 modules 2>&1 | tee build/lint.log
	@! grep -E 'warning|error' build/lint.log
	$(MAKE) checkpatch

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || \
		rm -f module/*.o module/*.ko module/*.mod* module/.*.cmd
	$(MAKE) -C selftests clean
	rm -rf build/selftests

.PHONY: all modules setup debug-kernel selftests check demo checkpatch lint clean
