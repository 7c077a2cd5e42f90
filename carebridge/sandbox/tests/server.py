"""The sandbox on a loopback port of its own, which a test stops and starts again: WeChat's
servers going down (every call refused, as a dead host refuses it) and coming back on the same
address, while CareBridge itself (the pytest live server) stays up.

``with SandboxServer() as wechat: settings.WECHAT_API_BASE = wechat.api_base; wechat.stop();
…; wechat.start()``. Django's own live-server thread serves it; the database is the test's
(``transactional_db``), as for any live server."""

from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler, _StaticFilesHandler

from carebridge.lib.http import close_outgoing
from carebridge.tests.ports import free_port


class _Thread(LiveServerThread):
    def _create_server(self, connections_override=None):
        # Bound again to the same port after a stop: the old socket's TIME_WAIT must not refuse
        # the new one.
        return self.server_class(
            (self.host, self.port),
            QuietWSGIRequestHandler,
            allow_reuse_address=True,
            connections_override=connections_override,
        )


class SandboxServer:
    def __init__(self):
        self.port = free_port()
        self._thread = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.url + "/sandbox/wx"

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> "SandboxServer":
        thread = _Thread("127.0.0.1", _StaticFilesHandler, port=self.port)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        self._thread = thread
        return self

    def stop(self) -> None:
        """Close the port: every call is refused from now on. The server's threads for
        connections kept alive would answer on, so those are dropped too, as a dead host's
        are (our client's side: the next call connects anew, and is refused)."""
        close_outgoing()
        if self._thread is not None:
            self._thread.terminate()
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
