#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# SYN flood (RFC 4987): spoofed SYNs from a tun peer while another
# namespace opens legitimate connections; see selftests/synflood.py.
#   selftests/synflood.sh [-v tcp|atcp] [--seconds S]
# timeout: 300
cd "$(dirname "$0")/.." || exit 1
py=/usr/bin/python3
[ -x "$py" ] || py=python3
exec "$py" selftests/synflood.py "$@"
