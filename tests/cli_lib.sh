# Shared by the CLI scripts (sourced): a scratch directory, pass and fail
# counts, and checks of virtsim's exit status and output.
virtsim=${VIRTSIM:-./virtsim}
work=$(mktemp -d "${TMPDIR:-/tmp}/virtsim-cli-XXXXXX")
passed=0
failed=0

ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect STATUS PATTERN -- ARGS: run virtsim, check exit status and that
# stdout+stderr matches PATTERN (grep -E).
expect() {
	want=$1 pattern=$2
	shift 3
	"$virtsim" "$@" >"$work/out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		ko "virtsim $*: exit $got, want $want"; sed 's/^/  | /' "$work/out"
	elif ! grep -qE -- "$pattern" "$work/out"; then
		ko "virtsim $*: output lacks /$pattern/"; sed 's/^/  | /' "$work/out"
	else
		ok
	fi
}

# Error messages are one line (plus the --help hint, and the trace hash
# every run that built a machine ends with).
one_line() {
	n=$(grep -vcE "^Try 'virtsim --help'|^trace hash: " "$work/out")
	if [ "$n" -eq 1 ]; then ok; else ko "$1: $n lines of error"; fi
}

# check DESCRIPTION COMMAND...: the command succeeds.
check() {
	what=$1
	shift
	if "$@"; then ok; else ko "$what"; fi
}

# finish NAME: the summary line and the exit status.
finish() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
