#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The state-event matrix (selftests/pkt/matrix.py): every RFC 9293 state
# against every kind of arriving segment (§3.10.7), measured for Linux TCP
# and atcp with the scripted peer; fails where atcp differs from Linux TCP
# outside the documented differences, or from
# Documentation/state-matrix.rst.
#   selftests/state_matrix.sh
# timeout: 600
cd "$(dirname "$0")/.." || exit 1
py=/usr/bin/python3
[ -x "$py" ] || py=python3
# ATCP_REDUCED=1 (the debug kernel): the test compares with Linux TCP's
# run, which the reduced run leaves out.
if [ "${ATCP_REDUCED:-0}" = 1 ]; then
	echo "1..1"
	echo "ok 1 state_matrix # SKIP compares atcp with Linux TCP (ATCP_REDUCED=1 runs atcp only)"
	exit 0
fi
exec "$py" selftests/pkt/matrix.py --check Documentation/state-matrix.rst
