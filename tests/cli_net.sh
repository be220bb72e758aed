#!/bin/sh
# SPDX-License-Identifier: MIT
# The net workloads end to end through libslirp, on this machine's
# loopback only: net-fetch from an HTTP server the test starts on
# 127.0.0.1 (content checked by hash), curl against net-serve through a
# hostfwd, net-ping's replies, a pcap capture read back and matched
# against the guest's frame counters, and one clear message with exit
# status 2 for each kind of bad net option.
set -u
for tool in python3 curl; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: no $tool"; exit 77; }
done
. "$(dirname "$0")/cli_lib.sh"
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for FILE PATTERN: up to 10 s for a line to appear.
wait_for() {
	for _ in $(seq 100); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# Bad input: one line, exit 2, before anything runs.
expect 2 '^virtsim: net: not in --mode thread \(only blk models run on host threads\)$' -- \
	--mode thread --net loop probe
one_line "net in thread mode"
expect 2 "'foo': want user \(libslirp\) or loop" -- --net foo probe
one_line "backend"
expect 2 'hostfwd=tcp:x-:80: want' -- --net user,hostfwd=tcp:x-:80 probe
one_line "hostfwd"
expect 2 'hostfwd=tcp::0-:80: want' -- --net user,hostfwd=tcp::0-:80 probe
expect 2 'mac=01:00:00:00:00:01: want a unicast address' -- \
	--net user,mac=01:00:00:00:00:01 probe
expect 2 'mac=52:54:00:12:34: want' -- --net loop,mac=52:54:00:12:34 probe
expect 2 'mtu=10: want 68 to 65535' -- --net loop,mtu=10 probe
expect 2 'queue_size=3: want a power of 2' -- --net loop,queue_size=3 probe
expect 2 'restrict=maybe: want on or off' -- --net user,restrict=maybe probe
expect 2 'hostfwd= is for the user backend' -- --net loop,hostfwd=tcp::1-:80 probe
one_line "loop hostfwd"
expect 2 'restrict= is for the user backend' -- --net loop,restrict=on probe
expect 2 'pcap=/nonexistent/x.pcap: No such file' -- \
	--net loop,pcap=/nonexistent/x.pcap probe
one_line "pcap"
expect 2 'https is not supported' -- --net user net-fetch https://10.0.2.2/
expect 2 "'example.com': want an IPv4 address" -- \
	--net user net-fetch http://example.com/
expect 2 'bad port' -- --net user net-fetch http://10.0.2.2:99999/
expect 2 'path is over 4000 bytes' -- --net user net-fetch \
	"http://10.0.2.2/$(head -c 4001 /dev/zero | tr '\0' a)"
expect 2 "'1.2.3': want an IPv4 address" -- --net user net-ping 1.2.3
expect 2 "--count '0': want a number above 0" -- --net user net-ping --count 0
expect 2 '--count goes with net-ping' -- --net user net-fetch http://10.0.2.2/ --count 3
expect 2 '--requests goes with (bench, )?net-serve' -- --net user net-ping --requests 1
expect 2 'the machine has 1 nic' -- --net user net-ping --nic 1
expect 2 'the machine has 0 nics' -- net-ping
busy=$(free_port)
python3 -c "import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $busy)); s.listen()
print('bound', flush=True); time.sleep(60)" >"$work/holder" &
holder=$!
wait_for "$work/holder" bound || ko "the port holder did not start"
expect 2 "hostfwd tcp:127.0.0.1:$busy: cannot listen" -- \
	--net "user,hostfwd=tcp:127.0.0.1:$busy-:80" probe
one_line "port in use"
kill "$holder"; wait "$holder" 2>/dev/null

# probe prints the MAC and the link state.
expect 0 'net0 +52:54:00:aa:bb:cc link up, mtu 9000, loop' -- \
	--net loop,mac=52:54:00:aa:bb:cc,mtu=9000 probe
expect 0 'net0 .* link up, mtu 1500, user$' -- \
	--net user,mrg_rxbuf=off,transport=pci probe

# net-ping: ARP, then echo replies from the gateway.
expect 0 '3 packets transmitted, 3 received, 0% packet loss' -- \
	--net user net-ping --count 3
expect 0 'icmp_seq=2 ttl=[0-9]+ time=' -- --net user,version=1 net-ping 10.0.2.2 --count 2
# ... and none on a switch with no one else on it.
expect 1 '2 packets transmitted, 0 received, 100% packet loss' -- \
	--net loop net-ping --count 2

# net-fetch from a server on the host's loopback, as the guest sees it.
mkdir "$work/www"
head -c $((4 * 1024 * 1024 + 12345)) /dev/urandom >"$work/www/blob"
port=$(free_port)
(cd "$work/www" && exec python3 -m http.server "$port" --bind 127.0.0.1) \
	>"$work/http.log" 2>&1 &
server=$!
wait_for "$work/http.log" 'Serving HTTP' || sleep 1
expect 0 'HTTP 200 OK, 4206649 bytes' -- \
	--net "user,pcap=$work/fetch.pcap" net-fetch "http://localhost:$port/blob" \
	--out "$work/got"
check "net-fetch --out: same bytes" [ "$(sha "$work/got")" = "$(sha "$work/www/blob")" ]
counters=$(grep -E '^net0: [0-9]+ frames in' "$work/out")
# The capture: every frame both ways, as the guest's stack counted them.
python3 - "$work/fetch.pcap" "$counters" <<'EOF' && ok || ko "pcap frames = the guest's counters"
import struct, sys, re
data = open(sys.argv[1], "rb").read()
magic, = struct.unpack("<I", data[:4])
assert magic == 0xa1b2c3d4, hex(magic)
guest = bytes.fromhex("525400123456")
off, into, outof, in_bytes, out_bytes = 24, 0, 0, 0, 0
while off < len(data):
    _, _, incl, orig = struct.unpack("<IIII", data[off:off + 16])
    frame = data[off + 16:off + 16 + incl]
    assert incl == orig == len(frame), (incl, orig)
    if frame[6:12] == guest:
        outof += 1; out_bytes += incl
    else:
        into += 1; in_bytes += incl
    off += 16 + incl
m = re.match(r"net0: (\d+) frames in \((\d+) bytes\), (\d+) out \((\d+) bytes\)", sys.argv[2])
want = tuple(int(x) for x in m.groups())
got = (into, in_bytes, outof, out_bytes)
assert got == want, (got, want)
EOF
if command -v tcpdump >/dev/null 2>&1; then
	n=$(tcpdump -nr "$work/fetch.pcap" 2>/dev/null | wc -l)
	frames=$(echo "$counters" | awk '{print $2 + $7}')
	check "tcpdump reads $frames frames ($n)" [ "$n" -eq "$frames" ]
fi
"$virtsim" --net user,transport=pci net-fetch "http://10.0.2.2:$port/blob" \
	>"$work/stdout" 2>"$work/err"
check "net-fetch to stdout: exit 0" [ $? -eq 0 ]
check "net-fetch to stdout: same bytes" [ "$(sha "$work/stdout")" = "$(sha "$work/www/blob")" ]
check "net-fetch to stdout: figures on stderr" grep -qE "MB/s" "$work/err"
# A small MTU: libslirp and lwIP both keep to the NIC's.
expect 0 'HTTP 200 OK, 4206649 bytes' -- --net user,mtu=576 net-fetch \
	"http://localhost:$port/blob" --out "$work/got576"
check "net-fetch, mtu 576: same bytes" [ "$(sha "$work/got576")" = "$(sha "$work/www/blob")" ]
# In deferred mode too (virtual delays on every completion), and with
# the connection's last FIN still unacked when the stack goes down.
expect 0 'HTTP 200 OK, 4206649 bytes' -- --mode deferred --seed 3 --net user,version=1 \
	net-fetch "http://localhost:$port/blob" --out "$work/got-deferred"
check "net-fetch, deferred: same bytes" [ "$(sha "$work/got-deferred")" = "$(sha "$work/www/blob")" ]
expect 1 'the server said 404' -- --net user net-fetch "http://10.0.2.2:$port/missing"
closed=$(free_port)
expect 1 "10.0.2.2:$closed: connection refused or reset" -- \
	--net user net-fetch "http://10.0.2.2:$closed/"
kill "$server"; wait "$server" 2>/dev/null
server=

# net-serve through a hostfwd: curl gets the page and a byte stream.
port=$(free_port)
"$virtsim" --net "user,hostfwd=tcp:127.0.0.1:$port-:80,mac=52:54:00:00:00:07" \
	net-serve --requests 3 >"$work/serve.out" 2>&1 &
serve=$!
check "net-serve says where it listens" wait_for "$work/serve.out" "http://127.0.0.1:$port/"
curl -s --max-time 20 "http://127.0.0.1:$port/" >"$work/page"
check "the page names the MAC" grep -q '^mac: 52:54:00:00:00:07$' "$work/page"
check "the page names the address" grep -q '^ip: 10.0.2.15$' "$work/page"
check "the page counts frames" grep -qE '^rx_frames: [1-9][0-9]*$' "$work/page"
curl -s --max-time 20 -o "$work/bytes" "http://127.0.0.1:$port/bytes/1000003"
python3 -c "import sys; sys.exit(open('$work/bytes', 'rb').read() != bytes(i % 251 for i in range(1000003)))" &&
	ok || ko "/bytes/N: the pattern"
code=$(curl -s --max-time 20 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nothing")
check "404 for an unknown path ($code)" [ "$code" = 404 ]
wait "$serve"
check "net-serve --requests 3: exit 0" [ $? -eq 0 ]
check "net-serve: summary" grep -q 'net-serve: done after 3 requests' "$work/serve.out"

# ... until SIGTERM, then a clean end (in deferred mode, over PCI).
port=$(free_port)
"$virtsim" --mode deferred --net "user,hostfwd=tcp:127.0.0.1:$port-:80,transport=pci" \
	net-serve >"$work/serve.out" 2>&1 &
serve=$!
wait_for "$work/serve.out" "listening" || true
curl -s --max-time 20 -o "$work/page" "http://127.0.0.1:$port/"
check "net-serve, deferred: the page" grep -q '^ip: 10.0.2.15$' "$work/page"
kill -TERM "$serve"
wait "$serve"
check "net-serve, SIGTERM: exit 0" [ $? -eq 0 ]
check "net-serve, SIGTERM: summary" grep -q 'stopped by a signal after 1 request' "$work/serve.out"

finish cli_net
