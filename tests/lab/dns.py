#!/usr/bin/python3
"""The lab's DNS server: authoritative answers for a fixed table of names.

The exit relay resolves through it (ServerDNSResolvConfFile), and the client
namespace uses it as its nameserver before ttp starts. UDP and TCP. Names are
matched case-insensitively but the question is echoed byte for byte, because
tor randomises the case of the names it asks (0x20 encoding) and drops
answers whose question differs. A known name with no record of the asked
type gets an empty NOERROR; an unknown name gets NXDOMAIN. Every query is
logged as "EPOCH PROTO SRC QTYPE NAME RCODE" so tests can see who asked.
Standard library only.
"""

import argparse
import ipaddress
import os
import socket
import socketserver
import struct
import sys
import threading
import time

QTYPE_A, QTYPE_AAAA = 1, 28
QTYPE_NAMES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX",
               16: "TXT", 28: "AAAA", 33: "SRV", 65: "HTTPS", 255: "ANY"}
RCODE_NOERROR, RCODE_FORMERR, RCODE_NXDOMAIN, RCODE_NOTIMP = 0, 1, 3, 4
TTL = 60

log_lock = threading.Lock()
log_file = None
records = {}	# lower-case name -> {qtype: [packed address, ...]}


def load_records(specs):
	"""specs: NAME=ADDR[,ADDR...]; the address family picks A or AAAA."""
	for spec in specs:
		name, _, addrs = spec.partition("=")
		entry = records.setdefault(name.lower().rstrip("."), {})
		for a in filter(None, addrs.split(",")):
			ip = ipaddress.ip_address(a)
			qtype = QTYPE_A if ip.version == 4 else QTYPE_AAAA
			entry.setdefault(qtype, []).append(ip.packed)


def log(proto, src, qtype, name, rcode):
	line = "%d %s %s %s %s %d\n" % (time.time(), proto, src,
	    QTYPE_NAMES.get(qtype, str(qtype)), name, rcode)
	with log_lock:
		log_file.write(line)
		log_file.flush()


def parse_question(msg):
	"""Returns (name, qtype, end offset of the question) or None."""
	if len(msg) < 12:
		return None
	qdcount = struct.unpack("!H", msg[4:6])[0]
	if qdcount != 1:
		return None
	off, labels = 12, []
	while True:
		if off >= len(msg):
			return None
		n = msg[off]
		off += 1
		if n == 0:
			break
		if n & 0xc0 or off + n > len(msg):	# no compression in questions
			return None
		labels.append(msg[off:off + n].decode("ascii", "replace"))
		off += n
	if off + 4 > len(msg):
		return None
	qtype = struct.unpack("!H", msg[off:off + 2])[0]
	return ".".join(labels), qtype, off + 4


def answer(msg, proto, src):
	"""Builds the reply to one query, or None to stay silent."""
	if len(msg) < 12 or msg[2] & 0x80:	# too short, or a response
		return None
	qid, flags = struct.unpack("!HH", msg[:4])
	opcode = (flags >> 11) & 0xf
	rd = flags & 0x0100
	q = parse_question(msg)
	if opcode != 0 or q is None:
		rcode = RCODE_NOTIMP if opcode != 0 else RCODE_FORMERR
		log(proto, src, 0, "-", rcode)
		return struct.pack("!HHHHHH", qid, 0x8000 | (opcode << 11) |
		    rd | 0x0080 | rcode, 0, 0, 0, 0)
	name, qtype, qend = q
	question = msg[12:qend]
	entry = records.get(name.lower().rstrip("."))
	answers = []
	if entry is None:
		rcode = RCODE_NXDOMAIN
	else:
		rcode = RCODE_NOERROR
		types = (QTYPE_A, QTYPE_AAAA) if qtype == 255 else (qtype,)
		for t in types:
			for packed in entry.get(t, []):
				# Name as a pointer to the question (offset 12).
				answers.append(struct.pack("!HHHIH", 0xc00c, t, 1,
				    TTL, len(packed)) + packed)
	log(proto, src, qtype, name, rcode)
	hdr = struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | rd | 0x0080 |
	    rcode, 1, len(answers), 0, 0)
	return hdr + question + b"".join(answers)


class UDPHandler(socketserver.BaseRequestHandler):
	def handle(self):
		data, sock = self.request
		reply = answer(data, "udp", self.client_address[0])
		if reply is not None:
			sock.sendto(reply, self.client_address)


class TCPHandler(socketserver.StreamRequestHandler):
	def handle(self):
		self.request.settimeout(10)
		try:
			while True:
				hdr = self.rfile.read(2)
				if len(hdr) < 2:
					return
				n = struct.unpack("!H", hdr)[0]
				data = self.rfile.read(n)
				if len(data) < n:
					return
				reply = answer(data, "tcp", self.client_address[0])
				if reply is None:
					return
				self.wfile.write(struct.pack("!H", len(reply)) + reply)
		except OSError:
			return


def server_class(base, family):
	class Server(socketserver.ThreadingMixIn, base):
		address_family = family
		allow_reuse_address = True
		daemon_threads = True

		def server_bind(self):
			if family == socket.AF_INET6:
				self.socket.setsockopt(socket.IPPROTO_IPV6,
				    socket.IPV6_V6ONLY, 1)
			super().server_bind()
	return Server


def main():
	global log_file
	p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	p.add_argument("--listen", action="append", required=True,
	    help="ADDRESS (port 53), repeatable")
	p.add_argument("--record", action="append", default=[],
	    help="NAME=ADDR[,ADDR...], repeatable")
	p.add_argument("--log", required=True)
	p.add_argument("--pidfile", required=True)
	args = p.parse_args()
	load_records(args.record)
	log_file = open(args.log, "a", buffering=1)
	servers = []
	for a in args.listen:
		fam = socket.AF_INET6 if ":" in a else socket.AF_INET
		servers.append(server_class(socketserver.UDPServer, fam)(
		    (a, 53), UDPHandler))
		servers.append(server_class(socketserver.TCPServer, fam)(
		    (a, 53), TCPHandler))
	for s in servers:
		threading.Thread(target=s.serve_forever, daemon=True).start()
	# The pid file doubles as the readiness signal: every socket is bound.
	tmp = args.pidfile + ".tmp"
	with open(tmp, "w") as f:
		f.write("%d\n" % os.getpid())
	os.rename(tmp, args.pidfile)
	threading.Event().wait()


if __name__ == "__main__":
	sys.exit(main())
