#!/usr/bin/python3
"""Attack traffic for the tests/attack/*_test.sh scripts (label `attack`).

Standard library only. Every subcommand is bounded in count and in time (a
hard deadline of its own), talks only to the addresses it is given (the tests
give it loopback addresses inside a network namespace they created) and
prints one line of JSON saying what happened; the tests assert on it with jq.
The stand-in servers (listen, alertmanager, fake-controller) also print one
JSON line per event as it happens, so a test can poll their log, and print
their summary line when their time is up or on SIGTERM.

  flood            many connections streaming large bodies (chunked or with a
                   Content-Length) as fast as the server takes them
  slow-upload      many connections declaring a large Content-Length and
                   sending it slowly (bodies held in flight at once)
  slowloris        many connections, each sending one header byte a second
                   and never finishing it; reconnects when the server closes
  hold             open connections (optionally a partial header, or one full
                   request first) and keep them until the server closes them
  request          one hand-written request; how and when it was answered
  nested           one POST whose JSON body nests arrays DEPTH deep
  reports          agent reports (POST /api/v1/reports), one fresh connection each
  listen           a TCP listener counting who connects to it
  alertmanager     a stand-in recording POST /api/v2/alerts batches
  fake-controller  a stand-in answering agents' reports with a hostile body

Run `attack.py SUBCOMMAND --help` for the options of each.
"""

import argparse
import http.client
import ipaddress
import json
import selectors
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MIB = 1 << 20


def emit(summary):
    print(json.dumps(summary, sort_keys=True), flush=True)


def parse_size(text):
    """'64M', '8MiB', '65537', '64k' -> bytes."""
    text = text.strip().lower().removesuffix("ib").removesuffix("b")
    factor = 1
    if text and text[-1] in "kmg":
        factor = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[text[-1]]
        text = text[:-1]
    return int(float(text) * factor)


def source_list(text):
    """'127.0.0.2-127.0.0.20' or '127.0.0.2,127.0.0.3' -> list of addresses."""
    if not text:
        return [None]
    out = []
    for part in text.split(","):
        if "-" in part:
            first, last = (ipaddress.ip_address(p) for p in part.split("-"))
            out.extend(str(ipaddress.ip_address(a)) for a in range(int(first), int(last) + 1))
        else:
            out.append(part)
    return out


def connect(host, port, source=None, timeout=2.0):
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if source:
        sock.bind((source, 0))
    sock.settimeout(timeout)
    sock.connect((host, port))
    sock.setblocking(False)
    return sock


def parse_response_head(data):
    """(status, headers dict, body bytes so far) from the bytes received, or None."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = data[:end].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    try:
        status = int(parts[1])
    except (IndexError, ValueError):
        return None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, data[end + 4:]


def error_code(body):
    try:
        return json.loads(body.decode("utf-8", "replace")).get("error", {}).get("code")
    except (ValueError, AttributeError):
        return None


class Deadline:
    def __init__(self, seconds):
        self.start = time.monotonic()
        self.end = self.start + seconds

    def left(self):
        return max(0.0, self.end - time.monotonic())

    def passed(self):
        return time.monotonic() >= self.end

    def elapsed(self):
        return round(time.monotonic() - self.start, 3)


STOP = threading.Event()


def stop_on_sigterm():
    def handler(signum, frame):
        STOP.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


# --- streaming bodies ------------------------------------------------------------


class Upload:
    """One request streaming a body; watches for the server's answer or close."""

    def __init__(self, sock, head, size, chunked, chunk_size, rate):
        self.sock = sock
        self.pending = head
        self.size = size
        self.chunked = chunked
        self.chunk = b"x" * chunk_size
        self.rate = rate  # bytes a second, 0: as fast as the server takes them
        self.started = time.monotonic()
        self.head_len = len(head)
        self.wire_sent = 0
        self.body_queued = 0
        self.received = b""
        self.status = None
        self.headers = {}
        self.answer_at = None
        self.body_sent_at_answer = None
        self.closed_by_server = False
        self.done = False
        self.finished_sending = False

    def next_piece(self):
        if self.body_queued >= self.size:
            if self.chunked and not self.finished_sending:
                self.finished_sending = True
                return b"0\r\n\r\n"
            self.finished_sending = True
            return b""
        n = min(len(self.chunk), self.size - self.body_queued)
        if self.rate:
            allowed = int(self.rate * (time.monotonic() - self.started)) - self.body_queued
            n = min(n, max(0, allowed))
            if n == 0:
                return b""
        self.body_queued += n
        piece = self.chunk[:n]
        if self.chunked:
            return b"%x\r\n" % n + piece + b"\r\n"
        return piece

    def on_writable(self):
        if not self.pending:
            self.pending = self.next_piece()
            if not self.pending:
                return
        try:
            sent = self.sock.send(self.pending)
        except BlockingIOError:
            return
        except OSError:
            # Reset while sending: an answer may have come before the reset; read it.
            while not self.done:
                self.on_readable(after_reset=True)
            self.closed_by_server = True
            self.done = True
            return
        self.pending = self.pending[sent:]
        self.wire_sent += sent

    @property
    def body_sent(self):
        return max(0, self.wire_sent - self.head_len)

    def on_readable(self, after_reset=False):
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            if not after_reset:
                return
            data = b""  # nothing more will come
        except OSError:
            data = b""
        if not data:
            self.closed_by_server = True
            self.done = True
            return
        self.received += data
        if self.status is None:
            head = parse_response_head(self.received)
            if head:
                self.status, self.headers, _ = head
                self.answer_at = round(time.monotonic() - self.started, 3)
                self.body_sent_at_answer = self.body_sent

    def wants_write(self):
        if self.done or (self.finished_sending and not self.pending):
            return False
        if self.pending or not self.rate:
            return True
        return int(self.rate * (time.monotonic() - self.started)) > self.body_queued  # throttled until then


def stream_bodies(args, rate):
    """The engine of flood and slow-upload."""
    sources = source_list(args.sources)
    deadline = Deadline(args.seconds)
    selector = selectors.DefaultSelector()
    uploads = []
    connect_errors = 0
    started = 0

    def start_one(index):
        nonlocal connect_errors, started
        if started >= args.max_requests or deadline.passed():
            return
        started += 1
        lines = [f"{args.method} {args.path} HTTP/1.1", f"Host: {args.host}:{args.port}",
                 "Content-Type: application/json"]
        if args.token:
            lines.append(f"Authorization: Bearer {args.token}")
        if args.chunked:
            lines.append("Transfer-Encoding: chunked")
        else:
            lines.append(f"Content-Length: {args.size}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        try:
            sock = connect(args.host, args.port, sources[index % len(sources)])
        except OSError:
            connect_errors += 1
            return
        upload = Upload(sock, head, args.size, args.chunked, args.chunk_size, rate)
        uploads.append(upload)
        selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, upload)

    for i in range(args.connections):
        start_one(i)
    index = args.connections
    while not deadline.passed() and not STOP.is_set():
        live = [u for u in uploads if not u.done]
        if not live:
            break
        for key, events in selector.select(timeout=min(0.05, deadline.left())):
            upload = key.data
            if events & selectors.EVENT_READ:
                upload.on_readable()
            if not upload.done and events & selectors.EVENT_WRITE:
                upload.on_writable()
            if upload.done:
                selector.unregister(upload.sock)
                upload.sock.close()
                if args.reconnect:
                    start_one(index)
                    index += 1
        for upload in uploads:  # throttled uploads wait unwatched for writing
            if not upload.done:
                mask = selectors.EVENT_READ | (selectors.EVENT_WRITE if upload.wants_write() else 0)
                if selector.get_key(upload.sock).events != mask:
                    selector.modify(upload.sock, mask, upload)
    statuses, codes = {}, {}
    retry_after = False
    for upload in uploads:
        key = str(upload.status) if upload.status is not None else "none"
        statuses[key] = statuses.get(key, 0) + 1
        if upload.status is not None:
            code = error_code(upload.received[upload.received.find(b"\r\n\r\n") + 4:])
            if code:
                codes[code] = codes.get(code, 0) + 1
            if upload.status == 503 and "retry-after" in upload.headers:
                retry_after = True
        if not upload.done:
            upload.sock.close()
    answered = [u for u in uploads if u.status is not None]
    return {
        "requests": len(uploads),
        "connect_errors": connect_errors,
        "statuses": statuses,
        "codes": codes,
        "retry_after_on_503": retry_after,
        "closed_by_server": sum(1 for u in uploads if u.closed_by_server),
        "open_at_end": sum(1 for u in uploads if not u.done),
        "bytes_sent": sum(u.body_sent for u in uploads),
        "max_body_sent_before_answer": max((u.body_sent_at_answer for u in answered), default=None),
        "max_answer_seconds": max((u.answer_at for u in answered), default=None),
        "seconds": deadline.elapsed(),
    }


def attack_flood(args):
    """Bodies as large and as fast as the server takes them, on N connections at once."""
    emit({"attack": "flood", **stream_bodies(args, rate=0)})


def attack_slow_upload(args):
    """Bodies sent slowly, so that many are in flight together."""
    emit({"attack": "slow-upload", **stream_bodies(args, rate=parse_size(args.rate))})


# --- connections -----------------------------------------------------------------


class Held:
    def __init__(self, sock):
        self.sock = sock
        self.opened = time.monotonic()
        self.last_sent = self.opened
        self.closed_at = None
        self.received = b""


def watch_closes(held, selector, on_closed):
    """Reads what the server sends on held connections; EOF or RST is a close."""
    for key, _ in selector.select(timeout=0.05):
        h = key.data
        try:
            data = h.sock.recv(65536)
        except BlockingIOError:
            continue
        except OSError:
            data = b""
        if data:
            h.received += data
            continue
        h.closed_at = time.monotonic()
        selector.unregister(h.sock)
        h.sock.close()
        on_closed(h)


def attack_slowloris(args):
    """Connections that keep trickling a header, one byte every --interval seconds."""
    stop_on_sigterm()
    sources = source_list(args.sources)
    deadline = Deadline(args.seconds)
    selector = selectors.DefaultSelector()
    live, finished = [], []
    connect_errors = 0
    opened = 0
    header = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10000
    next_source = 0

    def open_one():
        nonlocal connect_errors, opened, next_source
        if opened >= args.max_connections or deadline.passed():
            return
        source = sources[next_source % len(sources)]
        next_source += 1
        try:
            sock = connect(args.host, args.port, source, timeout=1.0)
        except OSError:
            connect_errors += 1
            return
        opened += 1
        h = Held(sock)
        h.position = 0
        live.append(h)
        selector.register(sock, selectors.EVENT_READ, h)

    def closed(h):
        live.remove(h)
        finished.append(h)

    for _ in range(args.connections):
        open_one()
    ready = time.monotonic()
    if args.ready_file:
        open(args.ready_file, "w").close()
    while not deadline.passed() and not STOP.is_set():
        now = time.monotonic()
        for h in list(live):
            if now - h.last_sent >= args.interval and h.position < len(header):
                try:
                    h.sock.send(header[h.position:h.position + 1])
                    h.position += 1
                    h.last_sent = now
                except BlockingIOError:
                    pass
                except OSError:
                    h.closed_at = now
                    selector.unregister(h.sock)
                    h.sock.close()
                    closed(h)
        watch_closes(live, selector, closed)
        if args.reconnect:
            # At most --reconnect-rate new connections a second, so that a server
            # shedding them does not turn this into a connect loop.
            budget = int(args.reconnect_rate * (time.monotonic() - ready)) - (opened - args.connections)
            while len(live) < args.connections and budget > 0 and opened < args.max_connections and not deadline.passed():
                before = opened
                open_one()
                budget -= 1
                if opened == before:
                    break
    lifetimes = [h.closed_at - h.opened for h in finished]
    statuses = {}
    for h in finished:
        head = parse_response_head(h.received)
        key = str(head[0]) if head else "none"
        statuses[key] = statuses.get(key, 0) + 1
    emit({
        "attack": "slowloris",
        "opened": opened,
        "connect_errors": connect_errors,
        "closed_by_server": len(finished),
        "open_at_end": len(live),
        "answers_on_close": statuses,
        "min_lifetime_seconds": round(min(lifetimes), 3) if lifetimes else None,
        "max_lifetime_seconds": round(max(lifetimes), 3) if lifetimes else None,
        "seconds_connecting": round(ready - deadline.start, 3),
        "seconds": deadline.elapsed(),
    })
    for h in live:
        h.sock.close()


def attack_hold(args):
    """Connections held open until the server closes them (or time is up / SIGTERM)."""
    stop_on_sigterm()
    sources = source_list(args.sources)
    deadline = Deadline(args.seconds)
    selector = selectors.DefaultSelector()
    live, finished = [], []
    connect_errors = 0
    partial = args.partial.encode().decode("unicode_escape").encode("latin-1") if args.partial else b""
    request = f"GET /healthz HTTP/1.1\r\nHost: {args.host}\r\n\r\n".encode() if args.request_first else b""
    for i in range(args.connections):
        if deadline.passed():
            break
        try:
            sock = connect(args.host, args.port, sources[i % len(sources)], timeout=1.0)
        except OSError:
            connect_errors += 1
            continue
        h = Held(sock)
        if request or partial:
            try:
                sock.send(request + partial)
            except OSError:
                pass
        live.append(h)
        selector.register(sock, selectors.EVENT_READ, h)
    # With --request-first, the clock starts when the answer has come (idle keep-alive).
    if request:
        answered_by = time.monotonic() + 2.0
        for h in live:
            while b"\r\n\r\n" not in h.received and time.monotonic() < answered_by:
                try:
                    data = h.sock.recv(65536)
                    if not data:
                        break
                    h.received += data
                except BlockingIOError:
                    time.sleep(0.01)  # polling a non-blocking socket with a deadline
                except OSError:
                    break
            h.opened = time.monotonic()
            h.received = b""
    if args.ready_file:
        open(args.ready_file, "w").close()

    def closed(h):
        live.remove(h)
        finished.append(h)

    trickle = b"X-Trickle: " + b"a" * 10000
    position = 0
    last_trickle = time.monotonic()
    while live and not deadline.passed() and not STOP.is_set():
        if args.trickle and time.monotonic() - last_trickle >= 1.0 and position < len(trickle):
            for h in list(live):
                try:
                    h.sock.send(trickle[position:position + 1])
                    h.last_sent = time.monotonic()
                except OSError:
                    pass
            position += 1
            last_trickle = time.monotonic()
        watch_closes(live, selector, closed)
    close_after = [h.closed_at - h.opened for h in finished]
    since_last = [h.closed_at - h.last_sent for h in finished]
    emit({
        "attack": "hold",
        "opened": len(live) + len(finished),
        "connect_errors": connect_errors,
        "closed_by_server": len(finished),
        "open_at_end": len(live),
        "min_close_after_seconds": round(min(close_after), 3) if close_after else None,
        "max_close_after_seconds": round(max(close_after), 3) if close_after else None,
        "max_close_after_last_byte_seconds": round(max(since_last), 3) if since_last else None,
        "seconds": deadline.elapsed(),
    })
    for h in live:
        h.sock.close()


# --- single requests -------------------------------------------------------------


def exchange(host, port, raw, timeout, source=None):
    """Sends raw bytes, reads until the answer is complete, the server closes or time is up."""
    deadline = Deadline(timeout)
    out = {"status": None, "code": None, "message": None, "closed": False, "answer_seconds": None,
           "headers": {}, "error": None}
    try:
        sock = connect(host, port, source, timeout=min(2.0, timeout))
    except OSError as error:
        out["error"] = f"connect: {error.strerror or error}"
        return out
    sock.setblocking(True)
    received = b""
    try:
        sock.settimeout(max(0.01, deadline.left()))
        try:
            sock.sendall(raw)
        except OSError as error:
            out["error"] = f"send: {error.strerror or error}"
        while not deadline.passed():
            sock.settimeout(max(0.01, deadline.left()))
            try:
                data = sock.recv(65536)
            except socket.timeout:
                break
            except OSError as error:
                out["error"] = out["error"] or f"recv: {error.strerror or error}"
                out["closed"] = True
                break
            if not data:
                out["closed"] = True
                break
            received += data
            head = parse_response_head(received)
            if head and out["answer_seconds"] is None:
                out["answer_seconds"] = deadline.elapsed()
            if head:
                length = int(head[1].get("content-length", "0") or 0)
                if len(head[2]) >= length:
                    break
    finally:
        sock.close()
    head = parse_response_head(received)
    if head:
        out["status"], out["headers"], body = head
        try:
            parsed = json.loads(body.decode("utf-8", "replace"))
            error = parsed.get("error", {}) if isinstance(parsed, dict) else {}
            out["code"], out["message"] = error.get("code"), error.get("message")
        except ValueError:
            pass
    out["seconds"] = deadline.elapsed()
    return out


def attack_request(args):
    """One request written by hand: headers may carry any byte (\\x01, \\x7f)."""
    lines = [f"{args.method} {args.path} HTTP/1.1", f"Host: {args.host}"]
    for header in args.header:
        lines.append(header.encode().decode("unicode_escape"))
    if args.token:
        lines.append(f"Authorization: Bearer {args.token}")
    if args.chunked:
        lines.append("Transfer-Encoding: chunked")
    elif args.content_length is not None:
        lines.append(f"Content-Length: {args.content_length}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    body = b"x" * args.send_body
    if args.chunked:  # a complete chunked body: what was sent, then the last chunk
        body = (b"%x\r\n" % len(body) + body + b"\r\n" if body else b"") + b"0\r\n\r\n"
    emit({"attack": "request", **exchange(args.host, args.port, raw + body, args.timeout)})


def attack_nested(args):
    """A JSON body of --depth nested arrays, placed where --template has '@'."""
    nested = "[" * args.depth + "]" * args.depth
    body = args.template.replace("@", nested).encode()
    head = (f"POST {args.path} HTTP/1.1\r\nHost: {args.host}\r\nContent-Type: application/json\r\n"
            + (f"Authorization: Bearer {args.token}\r\n" if args.token else "")
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    emit({"attack": "nested", "depth": args.depth, "body_bytes": len(body),
          **exchange(args.host, args.port, head + body, args.timeout)})


def make_result(probe, target, outcome, node, namespace):
    return {"probe": probe, "type": "tcp", "target": target, "transport": "tcp", "expect": "allow",
            "node": node, "namespace": namespace, "outcome": outcome, "success": outcome == "ok",
            "duration_seconds": 0.001, "detail": "synthetic", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def attack_reports(args):
    """Agent reports, one fresh connection each, as agents send them."""
    sources = source_list(args.sources)
    nodes = args.nodes or [f"{args.node_prefix}{i}" for i in range(args.node_count)]
    deadline = Deadline(args.seconds)
    statuses, codes = {}, {}
    sent = 0
    n = 0
    for round_index in range(args.repeat):
        for node in nodes:
            if deadline.passed():
                break
            source = sources[n % len(sources)]
            offset = args.probe_offset + (round_index * args.results if args.vary else 0)
            results = [make_result(f"{args.probe_prefix}{offset + i}", args.target, args.outcome, node, args.namespace)
                       for i in range(args.results)]
            address = args.address
            if args.address_port:
                address = f"{source or '127.0.0.1'}:{args.address_port}"
            report = {"node": node, "namespace": args.namespace, "address": address, "version": "0.1.0",
                      "interval_seconds": args.interval_seconds, "full": not args.partial, "results": results}
            if args.raw_interval is not None:
                report["interval_seconds"] = json.loads(args.raw_interval)
            body = json.dumps(report).encode()
            headers = {"Content-Type": "application/json"}
            if args.token:
                headers["Authorization"] = f"Bearer {args.token}"
            try:
                conn = http.client.HTTPConnection(args.host, args.port, timeout=max(0.5, min(5.0, deadline.left())),
                                                  source_address=(source, 0) if source else None)
                conn.request("POST", "/api/v1/reports", body=body, headers=headers)
                reply = conn.getresponse()
                data = reply.read()
                key = str(reply.status)
                conn.close()
            except OSError:
                key, data = "none", b""
            statuses[key] = statuses.get(key, 0) + 1
            code = error_code(data)
            if code:
                codes[code] = codes.get(code, 0) + 1
            if args.verbose:
                print(json.dumps({"node": node, "source": source, "status": key, "reply": data[:300].decode("utf-8", "replace")}),
                      file=sys.stderr)
            sent += 1
            n += 1
            if args.gap and not deadline.passed():
                time.sleep(min(args.gap, deadline.left()))  # pacing between reports, part of the scenario
    emit({"attack": "reports", "sent": sent, "statuses": statuses, "codes": codes, "seconds": deadline.elapsed()})


# --- stand-in servers ------------------------------------------------------------


def serve_until_done(server, seconds):
    stop_on_sigterm()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    deadline = Deadline(seconds)
    while not STOP.is_set() and not deadline.passed():
        STOP.wait(min(0.1, deadline.left()))
    server.shutdown()


def answer_as_agent(sock):
    """Reads one request and answers it as an agent's POST /api/v1/probe would, with an ok result."""
    sock.settimeout(1.0)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            piece = sock.recv(65536)
            if not piece:
                return
            data += piece
        head = parse_response_head(b"HTTP/1.1 000 x\r\n" + data.split(b"\r\n", 1)[1])
        length = int(head[1].get("content-length", "0") or 0) if head else 0
        while len(head[2]) < length:
            piece = sock.recv(65536)
            if not piece:
                break
            head = (head[0], head[1], head[2] + piece)
        result = make_result("adhoc", "127.0.0.1:9", "ok", "fake", "attack")
        body = json.dumps({"results": [result]}).encode()
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                     + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    except OSError:
        pass


def attack_listen(args):
    """Counts TCP connections made to HOST:PORT (closes each at once, or after answering as an agent)."""
    stop_on_sigterm()
    deadline = Deadline(args.seconds)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    listener.listen(128)
    listener.settimeout(0.1)
    if args.ready_file:
        open(args.ready_file, "w").close()
    peers = []
    while not deadline.passed() and not STOP.is_set():
        try:
            sock, peer = listener.accept()
        except socket.timeout:
            continue
        except OSError:
            continue
        peers.append(peer[0])
        print(json.dumps({"event": "connection", "peer": peer[0]}), flush=True)
        if args.fake_agent:
            answer_as_agent(sock)
        sock.close()
    listener.close()
    emit({"attack": "listen", "address": f"{args.host}:{args.port}", "connections": len(peers), "peers": sorted(set(peers)),
          "seconds": deadline.elapsed()})


def attack_alertmanager(args):
    """Records every POST /api/v2/alerts batch: how many alerts each carried."""
    pushes = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0") or 0)
            body = self.rfile.read(min(length, 64 * MIB))
            try:
                alerts = len(json.loads(body))
            except ValueError:
                alerts = -1
            pushes.append(alerts)
            print(json.dumps({"event": "push", "path": self.path, "alerts": alerts, "bytes": len(body)}), flush=True)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *unused):
            pass

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    serve_until_done(server, args.seconds)
    emit({"attack": "alertmanager", "pushes": len(pushes), "alerts_total": sum(p for p in pushes if p > 0),
          "alerts_max": max(pushes, default=0)})


def attack_fake_controller(args):
    """Answers POST /api/v1/reports with 200 and a deeply nested body."""
    nested = "[" * args.depth + "]" * args.depth
    reply = (nested if args.reply == "nested" else '{"accepted": 1, "probes": ' + nested + "}").encode()
    reports = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0") or 0)
            self.rfile.read(min(length, 16 * MIB))
            reports.append(self.path)
            print(json.dumps({"event": "report", "path": self.path}), flush=True)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *unused):
            pass

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    serve_until_done(server, args.seconds)
    emit({"attack": "fake-controller", "reply": args.reply, "depth": args.depth, "reports": len(reports)})


# --- command line ----------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    def target(sub, port=True):
        sub.add_argument("--host", default="127.0.0.1")
        if port:
            sub.add_argument("--port", type=int, required=True)

    def body_options(sub, default_size, default_seconds):
        target(sub)
        sub.add_argument("--method", default="POST")
        sub.add_argument("--path", default="/healthz")
        sub.add_argument("--token", help="sent as Authorization: Bearer TOKEN")
        sub.add_argument("--chunked", action="store_true", help="Transfer-Encoding: chunked instead of Content-Length")
        sub.add_argument("--size", type=parse_size, default=parse_size(default_size), help="body bytes per request")
        sub.add_argument("--chunk-size", type=parse_size, default=parse_size("64k"))
        sub.add_argument("--connections", type=int, default=16, help="requests in flight at once")
        sub.add_argument("--reconnect", action="store_true", help="start a new request when one ends")
        sub.add_argument("--max-requests", type=int, default=100000, help="bound on requests in all")
        sub.add_argument("--sources", help="client addresses to bind, e.g. 127.0.0.2-127.0.0.20")
        sub.add_argument("--seconds", type=float, default=default_seconds, help="hard time limit")

    sub = commands.add_parser("flood", help=attack_flood.__doc__)
    body_options(sub, "64M", 10)
    sub.set_defaults(run=attack_flood)

    sub = commands.add_parser("slow-upload", help=attack_slow_upload.__doc__)
    body_options(sub, "8M", 15)
    sub.add_argument("--rate", default="1M", help="body bytes a second on each connection")
    sub.set_defaults(run=attack_slow_upload)

    sub = commands.add_parser("slowloris", help=attack_slowloris.__doc__)
    target(sub)
    sub.add_argument("--connections", type=int, default=300, help="connections kept open at once")
    sub.add_argument("--sources", default="127.0.0.2-127.0.0.20")
    sub.add_argument("--interval", type=float, default=1.0, help="seconds between header bytes")
    sub.add_argument("--reconnect", action="store_true", help="replace connections the server closes")
    sub.add_argument("--reconnect-rate", type=float, default=100, help="new connections a second at most")
    sub.add_argument("--max-connections", type=int, default=20000, help="bound on connections in all")
    sub.add_argument("--ready-file", help="created once the first connections are open")
    sub.add_argument("--seconds", type=float, default=30)
    sub.set_defaults(run=attack_slowloris)

    sub = commands.add_parser("hold", help=attack_hold.__doc__)
    target(sub)
    sub.add_argument("--connections", type=int, default=1)
    sub.add_argument("--sources", help="client addresses to bind (default: the kernel's choice)")
    sub.add_argument("--partial", help="bytes sent first (escapes allowed), e.g. 'GET / HTTP/1.1\\r\\n'")
    sub.add_argument("--trickle", action="store_true", help="then one more header byte every second")
    sub.add_argument("--request-first", action="store_true", help="one complete GET /healthz first, then idle")
    sub.add_argument("--ready-file", help="created once every connection is open")
    sub.add_argument("--seconds", type=float, default=10, help="hold at most this long")
    sub.set_defaults(run=attack_hold)

    sub = commands.add_parser("request", help=attack_request.__doc__)
    target(sub)
    sub.add_argument("--method", default="GET")
    sub.add_argument("--path", default="/healthz")
    sub.add_argument("--header", action="append", default=[], help="'Name: value', escapes allowed (\\x01)")
    sub.add_argument("--token")
    sub.add_argument("--content-length", type=int, help="declared body length")
    sub.add_argument("--chunked", action="store_true")
    sub.add_argument("--send-body", type=int, default=0, help="body bytes actually sent")
    sub.add_argument("--timeout", type=float, default=3)
    sub.set_defaults(run=attack_request)

    sub = commands.add_parser("nested", help=attack_nested.__doc__)
    target(sub)
    sub.add_argument("--path", required=True)
    sub.add_argument("--token")
    sub.add_argument("--depth", type=int, default=60000)
    sub.add_argument("--template", default="@", help="the body, '@' standing for the nested arrays")
    sub.add_argument("--timeout", type=float, default=5)
    sub.set_defaults(run=attack_nested)

    sub = commands.add_parser("reports", help=attack_reports.__doc__)
    target(sub)
    sub.add_argument("--token")
    sub.add_argument("--nodes", nargs="+", help="node names (default: --node-prefix + 0..--node-count-1)")
    sub.add_argument("--node-prefix", default="node-")
    sub.add_argument("--node-count", type=int, default=1)
    sub.add_argument("--namespace", default="attack")
    sub.add_argument("--results", type=int, default=1, help="results in each report, each a distinct probe")
    sub.add_argument("--probe-prefix", default="p")
    sub.add_argument("--probe-offset", type=int, default=0)
    sub.add_argument("--vary", action="store_true", help="each round reports new distinct probes")
    sub.add_argument("--target", default="127.0.0.1:9")
    sub.add_argument("--outcome", default="ok")
    sub.add_argument("--partial", action="store_true", help='"full": false')
    sub.add_argument("--interval-seconds", type=float, default=10)
    sub.add_argument("--raw-interval", help="interval_seconds as raw JSON")
    sub.add_argument("--address", default="", help="the address the agent advertises")
    sub.add_argument("--address-port", type=int, help="advertise SOURCE:PORT (the bound source address)")
    sub.add_argument("--sources", help="client addresses, one per report in turn")
    sub.add_argument("--repeat", type=int, default=1, help="rounds over the nodes")
    sub.add_argument("--gap", type=float, default=0, help="seconds between reports")
    sub.add_argument("--verbose", action="store_true", help="one line per reply on stderr")
    sub.add_argument("--seconds", type=float, default=30)
    sub.set_defaults(run=attack_reports)

    sub = commands.add_parser("listen", help=attack_listen.__doc__)
    target(sub)
    sub.add_argument("--fake-agent", action="store_true", help="answer each connection as an agent answers a one-shot")
    sub.add_argument("--ready-file")
    sub.add_argument("--seconds", type=float, default=60)
    sub.set_defaults(run=attack_listen)

    sub = commands.add_parser("alertmanager", help=attack_alertmanager.__doc__)
    target(sub)
    sub.add_argument("--seconds", type=float, default=60)
    sub.set_defaults(run=attack_alertmanager)

    sub = commands.add_parser("fake-controller", help=attack_fake_controller.__doc__)
    target(sub)
    sub.add_argument("--reply", choices=["nested", "probes-nested"], default="nested")
    sub.add_argument("--depth", type=int, default=60000)
    sub.add_argument("--seconds", type=float, default=60)
    sub.set_defaults(run=attack_fake_controller)

    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
