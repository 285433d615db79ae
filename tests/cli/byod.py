#!/usr/bin/python3
"""Tor's TransPort, played for `ttp start --external-daemon` (BYOD) tests.

  byod.py [--lifetime S] [--http-delay S] trans PORT EXIT_IP

Listens on 127.0.0.1:PORT and [::1]:PORT, as the uid the test passes to
ttp as --tor-uid. Every connection it gets was redirected by ttp's ruleset;
it logs one line per connection ("CONN <original dst>") so a test can see
where traffic went. A connection whose original destination port is 80 is
answered as the exit-check web server would answer through Tor, because
ttp's [check] URLs in these tests are http://<far address>/...:

  /api/ip   {"IsTor": true, "IP": EXIT_IP}   (check.torproject.org style)
  /ip       EXIT_IP                          (api.ipify.org style)
  anything  "ok"                             (latency_url)

after --http-delay seconds (the bench samples memory during the check).
Any other port gets the greeting of tests/tools/standin.py ("STANDIN
<dst>") and an echo, with no idle timeout: a connection opened during the
session stays open, idle, until its peer or ttp's SOCK_KILL ends it.
"""
import argparse
import os
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True	# run as root too: no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'tools'))
import standin  # noqa: E402  (original_dst, listen)


def http(conn, args):
    conn.settimeout(5)
    req = b''
    while b'\r\n\r\n' not in req and len(req) < 8192:
        data = conn.recv(4096)
        if not data:
            return
        req += data
    path = req.split(b' ', 2)[1].decode(errors='replace') \
        if req.count(b' ') >= 2 else '/'
    log('HTTP %s' % path)
    if path.startswith('/api/ip'):
        body = '{"IsTor": true, "IP": "%s"}' % args.exit_ip
    elif path.startswith('/ip'):
        body = args.exit_ip + '\n'
    else:
        body = 'ok\n'
    time.sleep(args.http_delay)
    conn.sendall(('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n'
                  'Content-Length: %d\r\nConnection: close\r\n\r\n%s'
                  % (len(body), body)).encode())


def echo(conn, dst):
    conn.sendall(('STANDIN %s\n' % dst).encode())
    while True:
        data = conn.recv(4096)
        if not data:
            return
        conn.sendall(data)


def handle(conn, args):
    with conn:
        try:
            dst = standin.original_dst(conn)
            log('CONN %s' % dst)
            if dst.endswith(':80'):
                http(conn, args)
            else:
                echo(conn, dst)
        except OSError as e:
            log('ERROR %s' % standin.errname(e))


lock = threading.Lock()


def log(line):
    with lock:
        print(line, flush=True)


def accept_loop(sock, args):
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        threading.Thread(target=handle, args=(conn, args),
                         daemon=True).start()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('--lifetime', type=float, default=600)
    p.add_argument('--http-delay', type=float, default=0)
    sub = p.add_subparsers(dest='mode', required=True)
    s = sub.add_parser('trans')
    s.add_argument('port', type=int)
    s.add_argument('exit_ip')
    args = p.parse_args()
    for fam, addr in ((socket.AF_INET, '127.0.0.1'),
                      (socket.AF_INET6, '::1')):
        try:
            s = standin.listen(fam, socket.SOCK_STREAM, addr, args.port)
        except OSError:
            if fam == socket.AF_INET6:
                continue	# no IPv6 loopback in this namespace
            raise
        threading.Thread(target=accept_loop, args=(s, args),
                         daemon=True).start()
    log('ready')
    time.sleep(args.lifetime)
    return 0


if __name__ == '__main__':
    sys.exit(main())
