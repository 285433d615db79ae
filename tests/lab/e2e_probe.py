#!/usr/bin/python3
"""Traffic an application would send, for the demo and the end-to-end tests.

Runs inside the lab's client (any uid) and reports, on one line, what the
application saw; the tests judge leaks by counting on the far side, this
only says whether the application got through. Standard library only.

  udp HOST PORT          one datagram; waits briefly for an answer
  icmp HOST              one echo request (ping socket, IPv4 or IPv6)
  tcp HOST PORT          a TCP connect
  http HOST PORT PATH    GET PATH over a fresh connection; prints the body
  hold HOST PORT PATH GO opens a TCP connection now and prints "connected";
                         waits (at most --wait s) for the file GO to exist,
                         then sends GET PATH on that connection: the reply,
                         or how sending or receiving failed
  onion                  prints a well-formed v3 .onion name (random key, no
                         such service) to ask Tor's DNSPort about
  traffic SECONDS HOST PORT   a bounded loop: every --interval s one HTTP GET
                         (path /?tag=TAG-N), one UDP datagram and one ICMP
                         echo to HOST; prints one line per event and a summary

--bind ADDR sends udp and tcp from ADDR (a spoofed source, in a test's VM).
Exit status: 0 the far side answered, 1 a local error (refused, unreachable,
not permitted), 2 sent but nothing came back in time, 3 usage.
"""

import argparse
import base64
import errno
import hashlib
import os
import socket
import sys
import time


def family(host):
	return socket.AF_INET6 if ":" in host else socket.AF_INET


def err_name(e):
	return errno.errorcode.get(e.errno, str(e.errno)) if e.errno else str(e)


BIND = None


def do_udp(host, port, timeout):
	s = socket.socket(family(host), socket.SOCK_DGRAM)
	s.settimeout(timeout)
	try:
		if BIND:
			s.bind((BIND, 0))
		s.connect((host, port))
		s.send(b"ttp-e2e udp probe\n")
	except OSError as e:
		return 1, "udp %s:%d: send failed (%s)" % (host, port, err_name(e))
	try:
		s.recv(512)
		return 0, "udp %s:%d: answered" % (host, port)
	except socket.timeout:
		return 2, "udp %s:%d: sent, no answer" % (host, port)
	except OSError as e:
		return 1, "udp %s:%d: failed (%s)" % (host, port, err_name(e))


def icmp_packet(v6, ident, seq):
	typ = 128 if v6 else 8
	hdr = bytes([typ, 0, 0, 0]) + ident.to_bytes(2, "big") + \
	    seq.to_bytes(2, "big")
	return hdr + b"ttp-e2e icmp probe"	# the kernel fills in checksum/id


def do_icmp(host, timeout):
	v6 = family(host) == socket.AF_INET6
	proto = socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP
	try:
		s = socket.socket(family(host), socket.SOCK_DGRAM, proto)
	except OSError as e:
		return 1, "icmp %s: no ping socket (%s)" % (host, err_name(e))
	s.settimeout(timeout)
	try:
		s.sendto(icmp_packet(v6, 0, 1), (host, 0))
	except OSError as e:
		return 1, "icmp %s: send failed (%s)" % (host, err_name(e))
	try:
		s.recv(512)
		return 0, "icmp %s: echo reply" % host
	except socket.timeout:
		return 2, "icmp %s: sent, no reply" % host
	except OSError as e:
		return 1, "icmp %s: failed (%s)" % (host, err_name(e))


def do_tcp(host, port, timeout):
	s = socket.socket(family(host), socket.SOCK_STREAM)
	s.settimeout(timeout)
	try:
		if BIND:
			s.bind((BIND, 0))
		s.connect((host, port))
	except socket.timeout:
		return 2, "tcp %s:%d: connect timed out" % (host, port)
	except OSError as e:
		return 1, "tcp %s:%d: connect failed (%s)" % (host, port,
		    err_name(e))
	return 0, "tcp %s:%d: connected" % (host, port)


def request(host, path):
	return ("GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: ttp-e2e\r\n\r\n" %
	    (path, host)).encode()


def read_reply(s):
	data = b""
	while True:
		b = s.recv(4096)
		if not b:
			return data
		data += b


def body_of(data):
	head, _, body = data.partition(b"\r\n\r\n")
	status = head.split(b"\r\n", 1)[0].decode(errors="replace")
	return status, body.decode(errors="replace").strip()


def do_http(host, port, path, timeout):
	s = socket.socket(family(host), socket.SOCK_STREAM)
	s.settimeout(timeout)
	try:
		s.connect((host, port))
		s.sendall(request(host, path))
		data = read_reply(s)
	except socket.timeout:
		return 2, "http %s:%d%s: timed out" % (host, port, path)
	except OSError as e:
		return 1, "http %s:%d%s: failed (%s)" % (host, port, path,
		    err_name(e))
	if not data:
		return 1, "http %s:%d%s: closed without a reply" % (host, port,
		    path)
	status, body = body_of(data)
	return 0, "http %s:%d%s: %s: %s" % (host, port, path, status, body)


def do_hold(host, port, path, go, wait, timeout):
	s = socket.socket(family(host), socket.SOCK_STREAM)
	s.settimeout(timeout)
	try:
		s.connect((host, port))
	except OSError as e:
		print("hold %s:%d: connect failed (%s)" % (host, port,
		    err_name(e)), flush=True)
		return 1, None
	print("connected", flush=True)
	end = time.monotonic() + wait
	while not os.path.exists(go):
		if time.monotonic() > end:
			return 3, "hold: %s did not appear in %d s" % (go, wait)
		time.sleep(0.05)
	try:
		s.sendall(request(host, path))
	except OSError as e:
		return 1, "hold %s:%d: send failed (%s)" % (host, port,
		    err_name(e))
	try:
		data = read_reply(s)
	except socket.timeout:
		return 2, "hold %s:%d: sent, no reply in %d s" % (host, port,
		    timeout)
	except OSError as e:
		return 1, "hold %s:%d: sent, then failed (%s)" % (host, port,
		    err_name(e))
	if not data:
		return 1, "hold %s:%d: sent, connection closed without a reply" \
		    % (host, port)
	status, body = body_of(data)
	return 0, "hold %s:%d: reply %s: %s" % (host, port, status, body)


def onion_name():
	key = os.urandom(32)
	csum = hashlib.sha3_256(b".onion checksum" + key + b"\x03").digest()[:2]
	return base64.b32encode(key + csum + b"\x03").decode().lower() + ".onion"


def do_traffic(seconds, host, port, interval, tag, timeout):
	counts = {}
	end = time.monotonic() + seconds
	n = 0
	while time.monotonic() < end:
		n += 1
		t = time.time()
		for kind, (rc, msg) in (
		    ("http", do_http(host, port, "/?tag=%s-%d" % (tag, n),
		    timeout)),
		    ("udp", do_udp(host, 9999, 0.2)),
		    ("icmp", do_icmp(host, 0.2))):
			key = "%s_%s" % (kind, "ok" if rc == 0 else "fail")
			counts[key] = counts.get(key, 0) + 1
			print("%.2f %s %s" % (t, key, msg), flush=True)
		time.sleep(interval)
	print("summary " + " ".join("%s=%d" % kv for kv in sorted(
	    counts.items())), flush=True)
	return 0, None


def main():
	p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	p.add_argument("--timeout", type=float, default=5)
	p.add_argument("--wait", type=int, default=120)
	p.add_argument("--interval", type=float, default=0.3)
	p.add_argument("--tag", default="loop")
	p.add_argument("--bind", default=None)
	p.add_argument("what")
	p.add_argument("args", nargs="*")
	a = p.parse_args()
	global BIND
	BIND = a.bind
	try:
		if a.what == "udp" and len(a.args) == 2:
			rc, msg = do_udp(a.args[0], int(a.args[1]), a.timeout)
		elif a.what == "icmp" and len(a.args) == 1:
			rc, msg = do_icmp(a.args[0], a.timeout)
		elif a.what == "tcp" and len(a.args) == 2:
			rc, msg = do_tcp(a.args[0], int(a.args[1]), a.timeout)
		elif a.what == "http" and len(a.args) == 3:
			rc, msg = do_http(a.args[0], int(a.args[1]), a.args[2],
			    a.timeout)
		elif a.what == "hold" and len(a.args) == 4:
			rc, msg = do_hold(a.args[0], int(a.args[1]), a.args[2],
			    a.args[3], a.wait, a.timeout)
		elif a.what == "onion" and not a.args:
			rc, msg = 0, onion_name()
		elif a.what == "traffic" and len(a.args) == 3:
			rc, msg = do_traffic(float(a.args[0]), a.args[1],
			    int(a.args[2]), a.interval, a.tag, a.timeout)
		else:
			p.print_usage(sys.stderr)
			return 3
	except ValueError as e:
		print("bad argument: %s" % e, file=sys.stderr)
		return 3
	if msg:
		print(msg, flush=True)
	return rc


if __name__ == "__main__":
	sys.exit(main())
