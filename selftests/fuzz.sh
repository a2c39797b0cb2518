#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The hostile-peer fuzzer (selftests/helpers/fuzz.c) for a short while: atcp
# with a fixed seed and with a random one, and Linux TCP with a random one
# (which proves the fuzzer's oracles on a stack that passes them).  Each
# seed is printed; "fuzz --seed N" replays it.  Under ATCP_REDUCED=1 (the
# debug kernel) atcp only, for less time.
#   FUZZ_SECONDS=S [FUZZ_SEED=N] selftests/fuzz.sh
#       one long atcp run instead (what `make fuzz` runs)
# timeout: 700
cd "$(dirname "$0")/.." || exit 1
fuzz=build/selftests-helpers/fuzz
if [ ! -x "$fuzz" ]; then
	echo "not ok 1 fuzz # $fuzz is not built (make selftests)"
	exit 1
fi
rnd=$(( (RANDOM << 30) ^ (RANDOM << 15) ^ RANDOM ))
runs=()
if [ -n "${FUZZ_SECONDS:-}" ]; then
	runs=("253 ${FUZZ_SEED:-$rnd} $FUZZ_SECONDS")
elif [ "${ATCP_REDUCED:-0}" = 1 ]; then
	runs=("253 1 40" "253 $rnd 40")
else
	runs=("253 1 15" "253 $rnd 15" "6 $rnd 10")
fi
echo "1..${#runs[@]}"
i=0 rc=0
for r in "${runs[@]}"; do
	set -- $r
	i=$((i + 1))
	name=atcp
	[ "$1" = 6 ] && name=tcp
	# fuzz prints "# ..." lines and one "ok 1"/"not ok 1" line.
	out=$("$fuzz" --proto "$1" --seed "$2" --seconds "$3" 2>&1)
	st=$?
	printf '%s\n' "$out" | grep -v '^\(not \)\?ok '
	if [ "$st" = 0 ]; then
		echo "ok $i fuzz $name seed $2"
	else
		echo "not ok $i fuzz $name seed $2 # rerun: $fuzz --proto $1 --seed $2 --seconds $3"
		rc=1
	fi
done
exit $rc
