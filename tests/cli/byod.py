#!/usr/bin/python3
"""Tor's TransPort, played for `ttp start --external-daemon` (BYOD) tests.

  byod.py [--lifetime S] [--http-delay S] trans PORT EXIT_IP [EXIT_IP6]
  byod.py idle HOST PORT GOFILE

Listens on 127.0.0.1:PORT and [::1]:PORT, as the uid the test passes to
ttp as --tor-uid. Every connection it gets was redirected by ttp's ruleset;
it logs one line per connection ("CONN <original dst>") so a test can see
where traffic went. A connection whose original destination port is 80 is
answered as the exit-check web server would answer through Tor, because
ttp's [check] URLs in these tests are http://<far address>/...:

  /api/ip   {"IsTor": true, "IP": EXIT_IP}   (check.torproject.org style)
  /ip       EXIT_IP                          (api.ipify.org style)
  anything  "ok"                             (latency_url)

after --http-delay seconds, or the delay=S (at most 10) of the query
string: the bench samples memory while ttp waits for the check;
EXIT_IP6 instead of EXIT_IP when the original destination was IPv6.
Any other port gets the greeting of tests/tools/standin.py ("STANDIN
<dst>") and an echo, with no idle timeout: a connection opened during the
session stays open, idle, until its peer or ttp's SOCK_KILL ends it.

The `idle` client is such a connection: it connects to HOST:PORT, reads
the greeting and prints "connected <greeting>", then stays idle until the
file GOFILE exists (at most 60 s), sends once and prints "sent" or "send
failed <errno name>": one send decides whether a cleartext segment can
leave once ttp is gone.
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
    ip = args.exit_ip6 if conn.family == socket.AF_INET6 else args.exit_ip
    if path.startswith('/api/ip'):
        body = '{"IsTor": true, "IP": "%s"}' % ip
    elif path.startswith('/ip'):
        body = ip + '\n'
    else:
        body = 'ok\n'
    delay = args.http_delay
    for kv in path.partition('?')[2].split('&'):
        if kv.startswith('delay='):
            try:
                delay = min(float(kv[6:]), 10.0)
            except ValueError:
                pass
    time.sleep(delay)
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


def idle(args):
    c = socket.create_connection((args.host, args.port), timeout=5)
    greeting = c.makefile('rb').readline().decode().strip()
    log('connected %s' % greeting)
    c.settimeout(None)
    end = time.monotonic() + 60
    while not os.path.exists(args.gofile):
        if time.monotonic() > end:
            log('never told to send')
            return 1
        time.sleep(0.05)
    try:
        c.send(b'CLEARTEXT-AFTER-STOP')
        log('sent')
    except OSError as e:
        log('send failed %s' % standin.errname(e))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('--lifetime', type=float, default=600)
    p.add_argument('--http-delay', type=float, default=0)
    sub = p.add_subparsers(dest='mode', required=True)
    s = sub.add_parser('trans')
    s.add_argument('port', type=int)
    s.add_argument('exit_ip')
    s.add_argument('exit_ip6', nargs='?', default='2001:db8:2::15')
    s = sub.add_parser('idle')
    s.add_argument('host')
    s.add_argument('port', type=int)
    s.add_argument('gofile')
    args = p.parse_args()
    if args.mode == 'idle':
        return idle(args)
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
