"""A stand-in for WeChat's API for the benchmarks' worker: issues an access token and accepts
template messages, answering at once, so the worker delivers each message once as it would in
production (an unreachable WeChat would have it retry every message, over and over).

    python bench/fake_wechat.py HOST PORT
"""

import itertools
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MSGIDS = itertools.count(1)


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as WeChat's API servers do: HTTP/1.0 would close every connection, so the
    # worker would pay a new connection (and this server a new thread) for each message.
    protocol_version = "HTTP/1.1"
    # The headers and the body go out as two writes; on a kept-alive connection Nagle's
    # algorithm held the body back until the client's delayed ACK, 40 ms per message.
    disable_nagle_algorithm = True

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/cgi-bin/stable_token"):
            answer = {"access_token": "bench-token-" + "x" * 500, "expires_in": 7200}
        elif self.path.startswith("/cgi-bin/message/template/send"):
            answer = {"errcode": 0, "errmsg": "ok", "msgid": next(MSGIDS)}
        else:
            answer = {"errcode": 40097, "errmsg": "not part of the benchmark's stand-in"}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
