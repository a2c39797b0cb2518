#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scripted-peer tests: selftests/pkt/run.py plays the remote TCP segment by
# segment on a tun device (RFC 9293 handshakes, resets, challenge ACKs,
# closing states, out-of-order data, zero-window probes, malformed segments)
# against Linux TCP (protocol 6) and atcp (protocol 253); its TAP lines
# (one per scenario and protocol) are passed through.
#   selftests/pkt.sh [-t SCENARIO[/tcp|/atcp]]
# timeout: 1800
cd "$(dirname "$0")/.." || exit 1
py=/usr/bin/python3
[ -x "$py" ] || py=python3
# Both stacks on every kernel, the debug kernel too (~15 minutes there):
# each scenario is proven on Linux TCP in the same boot.
exec "$py" selftests/pkt/run.py --proto both "$@"
