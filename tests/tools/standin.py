#!/usr/bin/python3
"""Stand-ins and probes for the namespace tests (tests/netns/).

Servers (run in the background, each bounded by --lifetime seconds):
  trans PORT        Tor's TransPort: TCP on 127.0.0.1 and [::1]; answers
                    "STANDIN <original dst>" (SO_ORIGINAL_DST), then echoes.
  dns PORT ADDR     Tor's DNSPort: UDP on 127.0.0.1 and [::1]; answers every
                    A query with ADDR.
  far PORT...       the far side: TCP on [::] (dual stack) answering
                    "FAR <peer>" then echoing; UDP on the same ports
                    answering "FAR <peer>".
Probes (one attempt, bounded by --timeout; print one line, exit 0 when the
exchange completed, 1 otherwise):
  tcp HOST PORT     connect, read the greeting, send "ping", expect it back
  udp HOST PORT     send a datagram, print the reply
  dns-query HOST [PORT]  A query for probe.test, print the address
  ping HOST         one ICMP echo over a datagram ICMP socket
  loop SECONDS [lan:]HOST...  continuous traffic that must not reach
                    HOST; prints the number of rounds
  blast SECONDS HOST...       a UDP datagram and a TCP SYN (connect
                    without waiting) to each HOST every millisecond;
                    prints the number of rounds
"""
import argparse
import errno
import os
import socket
import struct
import sys
import threading
import time

SO_ORIGINAL_DST = 80		# linux/netfilter_ipv4.h, also IP6T_SO_ORIGINAL_DST


def family_of(host):
    return socket.AF_INET6 if ':' in host else socket.AF_INET


def sockaddr(host, port):
    """(host, port), or with a scope ("fe80::1%eth0") the 4-tuple that
    carries its interface index."""
    if '%' not in host:
        return (host, port)
    return socket.getaddrinfo(host, port, socket.AF_INET6)[0][4]


def original_dst(conn):
    if conn.family == socket.AF_INET:
        raw = conn.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)
        port, = struct.unpack_from('!H', raw, 2)
        return '%s:%d' % (socket.inet_ntop(socket.AF_INET, raw[4:8]), port)
    raw = conn.getsockopt(socket.IPPROTO_IPV6, SO_ORIGINAL_DST, 28)
    port, = struct.unpack_from('!H', raw, 2)
    return '[%s]:%d' % (socket.inet_ntop(socket.AF_INET6, raw[8:24]), port)


def echo(conn, greeting):
    with conn:
        conn.settimeout(5)
        try:
            conn.sendall(greeting.encode() + b'\n')
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                conn.sendall(data)
        except OSError:
            pass


def tcp_server(sock, greet):
    while True:
        try:
            conn, peer = sock.accept()
        except OSError:
            return
        try:
            g = greet(conn, peer)
        except OSError as e:
            g = 'ERROR %s' % e
        threading.Thread(target=echo, args=(conn, g), daemon=True).start()


def listen(family, kind, addr, port):
    s = socket.socket(family, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6 and addr != '::':
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    if kind == socket.SOCK_STREAM:
        s.listen(64)
    return s


def dns_answer(query, addr):
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack_from('!HHH', query, 0)
    # walk the question name
    i = 12
    while i < len(query) and query[i] != 0:
        i += query[i] + 1
    i += 1
    if i + 4 > len(query) or qd < 1:
        return None
    qtype, = struct.unpack_from('!H', query, i)
    question = query[12:i + 4]
    an = 1 if qtype == 1 else 0
    hdr = struct.pack('!HHHHHH', qid, 0x8180, 1, an, 0, 0)
    body = question
    if an:
        body += struct.pack('!HHHIH', 0xc00c, 1, 1, 60, 4)
        body += socket.inet_aton(addr)
    return hdr + body


def udp_server(sock, reply):
    while True:
        try:
            data, peer = sock.recvfrom(4096)
        except OSError:
            return
        out = reply(data, peer)
        if out:
            try:
                sock.sendto(out, peer)
            except OSError:
                pass


def serve(args):
    threads = []
    if args.mode == 'trans':
        for fam, addr in ((socket.AF_INET, '127.0.0.1'),
                          (socket.AF_INET6, '::1')):
            s = listen(fam, socket.SOCK_STREAM, addr, args.port)
            threads.append(threading.Thread(
                target=tcp_server,
                args=(s, lambda c, p: 'STANDIN ' + original_dst(c))))
    elif args.mode == 'dns':
        for fam, addr in ((socket.AF_INET, '127.0.0.1'),
                          (socket.AF_INET6, '::1')):
            s = listen(fam, socket.SOCK_DGRAM, addr, args.port)
            threads.append(threading.Thread(
                target=udp_server,
                args=(s, lambda d, p: dns_answer(d, args.answer))))
    elif args.mode == 'far':
        for port in args.ports:
            s = listen(socket.AF_INET6, socket.SOCK_STREAM, '::', port)
            threads.append(threading.Thread(
                target=tcp_server,
                args=(s, lambda c, p: 'FAR %s' % p[0])))
            u = listen(socket.AF_INET6, socket.SOCK_DGRAM, '::', port)
            threads.append(threading.Thread(
                target=udp_server,
                args=(u, lambda d, p: ('FAR %s' % p[0]).encode())))
    for t in threads:
        t.daemon = True
        t.start()
    print('ready', flush=True)
    time.sleep(args.lifetime)


def errname(e):
    if isinstance(e, socket.timeout):
        return 'TIMEOUT'
    if getattr(e, 'errno', None):
        return errno.errorcode.get(e.errno, str(e.errno))
    return type(e).__name__


def echo_once(args):
    """Connect, read the greeting, echo one line: (socket, file, greeting,
    whether the echo came back)."""
    s = socket.socket(family_of(args.host), socket.SOCK_STREAM)
    s.settimeout(args.timeout)
    try:
        s.connect(sockaddr(args.host, args.port))
        f = s.makefile('rb')
        greeting = f.readline().decode().strip()
        s.sendall(b'ping\n')
        back = f.readline().decode().strip()
    except OSError:
        s.close()
        raise
    return s, f, greeting, back


def probe_tcp(args):
    try:
        s, _, greeting, back = echo_once(args)
    except OSError as e:
        print('FAIL %s' % errname(e))
        return 1
    s.close()
    print('%s ECHO=%s' % (greeting, 'ok' if back == 'ping' else back))
    return 0 if back == 'ping' else 1


def probe_keep(args):
    """One connection kept across a change: greeting and echo now, print
    "connected", then once the file args.go exists (at most 4 s, within
    the server's 5 s idle limit) echo again on the same connection."""
    try:
        s, f, greeting, back = echo_once(args)
    except OSError as e:
        print('FAIL %s' % errname(e))
        return 1
    try:
        if back != 'ping':
            print('FAIL first echo')
            return 1
        print('connected %s' % greeting, flush=True)
        for _ in range(40):
            if os.path.exists(args.go):
                break
            time.sleep(0.1)
        else:
            print('FAIL %s never appeared' % args.go)
            return 1
        s.sendall(b'again\n')
        back = f.readline().decode().strip()
    except OSError as e:
        print('FAIL %s' % errname(e))
        return 1
    finally:
        s.close()
    print('ECHO2=%s' % ('ok' if back == 'again' else back or 'nothing'))
    return 0 if back == 'again' else 1


def probe_udp(args, payload=b'probe'):
    s = socket.socket(family_of(args.host), socket.SOCK_DGRAM)
    s.settimeout(args.timeout)
    try:
        s.sendto(payload, sockaddr(args.host, args.port))
        data, peer = s.recvfrom(4096)
    except OSError as e:
        print('FAIL %s' % errname(e))
        return 1, None
    finally:
        s.close()
    return 0, data


def probe_dns(args):
    q = struct.pack('!HHHHHH', 0x4242, 0x0100, 1, 0, 0, 0)
    q += b'\x05probe\x04test\x00' + struct.pack('!HH', 1, 1)
    rc, data = probe_udp(args, q)
    if rc:
        return rc
    if len(data) >= 16 and data[:2] == b'\x42\x42' and \
            struct.unpack_from('!H', data, 6)[0] >= 1:
        print('ANSWER %s' % socket.inet_ntoa(data[-4:]))
        return 0
    print('FAIL BADREPLY')
    return 1


def probe_ping(args):
    fam = family_of(args.host)
    proto = socket.IPPROTO_ICMPV6 if fam == socket.AF_INET6 \
        else socket.IPPROTO_ICMP
    try:
        s = socket.socket(fam, socket.SOCK_DGRAM, proto)
    except OSError as e:
        print('FAIL SOCKET %s' % errname(e))
        return 1
    s.settimeout(args.timeout)
    kind = 128 if fam == socket.AF_INET6 else 8
    try:
        s.sendto(struct.pack('!BBHHH', kind, 0, 0, 0, 1) + b'probe',
                 (args.host, 0))
        s.recvfrom(4096)
    except OSError as e:
        print('FAIL %s' % errname(e))
        return 1
    finally:
        s.close()
    print('PONG')
    return 0


def probe_loop(args):
    """Traffic that must never reach the far side, for re-apply tests:
    to a plain HOST every kind (UDP, DNS, TCP, DoT); to lan:HOST only what
    the LAN bypass must not carry (DNS, NetBIOS, mDNS, LLMNR, DoT). Each
    attempt is short so the loop keeps sending while rules change. Stops
    after SECONDS; prints the number of rounds."""
    end = time.monotonic() + args.seconds
    n = 0
    q = struct.pack('!HHHHHH', 1, 0x0100, 1, 0, 0, 0) + \
        b'\x05probe\x04test\x00' + struct.pack('!HH', 1, 1)
    plan = []
    for h in args.hosts:
        if h.startswith('lan:'):
            plan.append((h[4:], ((53, q), (137, b'nb'), (138, b'nb'),
                                 (5353, b'md'), (5355, b'll')), (853, 53)))
        else:
            plan.append((h, ((9999, b'leak?'), (53, q), (443, b'quic')),
                         (8080, 853, 80)))
    while time.monotonic() < end:
        for host, udp, tcp in plan:
            fam = family_of(host)
            for port, payload in udp:
                u = socket.socket(fam, socket.SOCK_DGRAM)
                try:
                    u.sendto(payload, (host, port))
                except OSError:
                    pass
                u.close()
            for port in tcp:
                t = socket.socket(fam, socket.SOCK_STREAM)
                t.settimeout(0.2)
                try:
                    t.connect((host, port))
                    t.sendall(b'x')
                except OSError:
                    pass
                t.close()
        n += 1
    print('LOOP %d' % n)
    return 0


def blast(args):
    """Fast traffic for the tampering tests: per round and HOST one UDP
    datagram to port 9999 and one TCP SYN to port 8080 (a non-blocking
    connect, closed at once: the SYN is on its way, nothing waits for an
    answer), then at most 1 ms of sleep. Stops after SECONDS."""
    end = time.monotonic() + args.seconds
    n = 0
    while time.monotonic() < end:
        t = time.monotonic()
        for host in args.hosts:
            fam = family_of(host)
            u = socket.socket(fam, socket.SOCK_DGRAM)
            try:
                u.sendto(b'leak?', (host, 9999))
            except OSError:
                pass
            u.close()
            c = socket.socket(fam, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect((host, 8080))
            except OSError:
                pass
            c.close()
        n += 1
        time.sleep(max(0.0, 0.001 - (time.monotonic() - t)))
    print('BLAST %d' % n)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('--lifetime', type=float, default=300)
    p.add_argument('--timeout', type=float, default=2)
    sub = p.add_subparsers(dest='mode', required=True)
    s = sub.add_parser('trans'); s.add_argument('port', type=int)
    s = sub.add_parser('dns'); s.add_argument('port', type=int)
    s.add_argument('answer')
    s = sub.add_parser('far'); s.add_argument('ports', type=int, nargs='+')
    s = sub.add_parser('tcp'); s.add_argument('host')
    s.add_argument('port', type=int)
    s = sub.add_parser('keep'); s.add_argument('host')
    s.add_argument('port', type=int); s.add_argument('go')
    s = sub.add_parser('udp'); s.add_argument('host')
    s.add_argument('port', type=int)
    s = sub.add_parser('dns-query'); s.add_argument('host')
    s.add_argument('port', type=int, nargs='?', default=53)
    s = sub.add_parser('ping'); s.add_argument('host')
    s = sub.add_parser('loop'); s.add_argument('seconds', type=float)
    s.add_argument('hosts', nargs='+')
    s = sub.add_parser('blast'); s.add_argument('seconds', type=float)
    s.add_argument('hosts', nargs='+')
    args = p.parse_args()
    if args.mode in ('trans', 'dns', 'far'):
        serve(args)
        return 0
    if args.mode == 'tcp':
        return probe_tcp(args)
    if args.mode == 'keep':
        return probe_keep(args)
    if args.mode == 'udp':
        rc, data = probe_udp(args)
        if rc == 0:
            print(data.decode(errors='replace'))
        return rc
    if args.mode == 'dns-query':
        return probe_dns(args)
    if args.mode == 'ping':
        return probe_ping(args)
    if args.mode == 'loop':
        return probe_loop(args)
    if args.mode == 'blast':
        return blast(args)
    return 2


if __name__ == '__main__':
    sys.exit(main())
