#!/usr/bin/python3
"""The lab's web server: tells each client the address it came from.

It stands in for check.torproject.org, api.ipify.org, ifconfig.me and the
my-ip.io leak endpoints (the lab's DNS points those names here), so ttp's
checks run unchanged against it over plain HTTP. Endpoints:
  /              the source address and a newline
  /ip            the bare source address (ipify / ifconfig.me style)
  /api/ip        {"IsTor": bool, "IP": "<source>"}, IsTor true iff the source
                 is one of the --exit addresses (check.torproject.org style)
  /bytes?n=N     N bytes of 'x' (N <= 16 MiB), for throughput tests
  /stream?seconds=N  one line a second for N seconds (N <= 600): a long-lived
                 connection for restart/stop tests
Every request is logged as "EPOCH SRC METHOD HOST PATH STATUS" so tests can
assert which address the server saw. Standard library only.
"""

import argparse
import http.server
import json
import os
import socket
import socketserver
import sys
import threading
import time
import urllib.parse

log_lock = threading.Lock()
log_file = None
exit_addrs = set()


class Handler(http.server.BaseHTTPRequestHandler):
	server_version = "ttplab-web/1"
	sys_version = ""
	protocol_version = "HTTP/1.0"	# one request a connection, close-delimited

	def log_message(self, fmt, *args):	# silence stderr; we log our own way
		pass

	def record(self, status):
		line = "%d %s %s %s %s %d\n" % (time.time(), self.client_address[0],
		    self.command, self.headers.get("Host", "-").replace(" ", ""),
		    self.path.replace(" ", "%20"), status)
		with log_lock:
			log_file.write(line)
			log_file.flush()

	def reply(self, status, body, ctype="text/plain; charset=utf-8"):
		self.record(status)
		self.send_response(status)
		self.send_header("Content-Type", ctype)
		self.send_header("Content-Length", str(len(body)))
		self.send_header("Cache-Control", "no-store")
		self.end_headers()
		if self.command != "HEAD":
			self.wfile.write(body)

	def do_GET(self):
		try:
			self.route()
		except ValueError:
			self.reply(400, b"bad request\n")

	def route(self):
		src = self.client_address[0]
		url = urllib.parse.urlsplit(self.path)
		query = urllib.parse.parse_qs(url.query)
		if url.path == "/":
			self.reply(200, (src + "\n").encode())
		elif url.path == "/ip":
			self.reply(200, src.encode())
		elif url.path == "/api/ip":
			body = json.dumps({"IsTor": src in exit_addrs, "IP": src})
			self.reply(200, body.encode(), "application/json")
		elif url.path == "/bytes":
			n = min(int(query.get("n", ["0"])[0] or 0), 16 << 20)
			self.reply(200, b"x" * max(n, 0), "application/octet-stream")
		elif url.path == "/stream":
			self.stream(min(int(query.get("seconds", ["10"])[0] or 0), 600))
		else:
			self.reply(404, b"not found\n")

	do_HEAD = do_GET

	def stream(self, seconds):
		self.record(200)
		self.send_response(200)
		self.send_header("Content-Type", "text/plain")
		self.end_headers()
		if self.command == "HEAD":
			return
		try:
			for i in range(max(seconds, 0)):
				self.wfile.write(b"tick %d\n" % i)
				self.wfile.flush()
				time.sleep(1)
		except OSError:
			pass


def server_class(family):
	class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
		address_family = family
		allow_reuse_address = True
		daemon_threads = True

		def server_bind(self):
			if family == socket.AF_INET6:
				self.socket.setsockopt(socket.IPPROTO_IPV6,
				    socket.IPV6_V6ONLY, 1)
			socketserver.TCPServer.server_bind(self)
			self.server_name, self.server_port = "ttplab", \
			    self.server_address[1]
	return Server


def main():
	global log_file
	p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	p.add_argument("--listen", action="append", required=True,
	    help="ADDRESS:PORT or [V6]:PORT, repeatable")
	p.add_argument("--exit", action="append", default=[],
	    help="address reported as IsTor true, repeatable")
	p.add_argument("--log", required=True)
	p.add_argument("--pidfile", required=True)
	args = p.parse_args()
	exit_addrs.update(args.exit)
	log_file = open(args.log, "a", buffering=1)
	servers = []
	for a in args.listen:
		host, _, port = a.rpartition(":")
		fam = socket.AF_INET6 if host.startswith("[") else socket.AF_INET
		servers.append(server_class(fam)((host.strip("[]"), int(port)),
		    Handler))
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
