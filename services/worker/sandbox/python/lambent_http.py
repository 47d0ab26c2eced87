# http.client without sockets: an HTTPConnection's "socket" gathers the request http.client writes, and
# the request goes out through the host's fetch (python/http.ts fetchSync, which blocks until the host
# answers) once it is whole; the response is handed back to http.client as the bytes it would have read,
# so HTTPResponse, urllib.request and everything built on them work as they do over a socket. An
# HTTPSConnection is added (the interpreter has no ssl module): the host makes the TLS connection and
# checks the certificate. The host holds every limit (egress policy, timeout, size, the invocation's end);
# a failure is raised as the OSError a socket would give: TimeoutError, PermissionError for a destination
# the policy refuses, socket.gaierror for a name that does not resolve. The module is imported (and
# http.client patched) when the interpreter's snapshot is made; `install` hands it the host's fetch
# after each restore, before the function's module is imported.
import errno
import http.client
import io
import socket

_fetch = None
_HEAD_END = b"\r\n\r\n"
# What the host has already dealt with: it decodes a compressed body, and the body arrives whole.
_DROPPED_RESPONSE_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}
_DROPPED_REQUEST_HEADERS = {"connection", "content-length", "transfer-encoding", "keep-alive"}


def _failure(code, message):
    if code == "ETIMEDOUT":
        return TimeoutError(message)
    if code == "EACCES":
        return PermissionError(errno.EACCES, message)
    if code == "ENOTFOUND":
        return socket.gaierror(socket.EAI_NONAME, message)
    if code == "EFBIG":
        return OSError(errno.EFBIG, message)
    return ConnectionError(message)


def _dechunk(body):
    out = bytearray()
    at = 0
    while True:
        line_end = body.index(b"\r\n", at)
        size = int(body[at:line_end].split(b";", 1)[0], 16)
        if size == 0:
            return bytes(out)
        start = line_end + 2
        out += body[start : start + size]
        at = start + size + 2


def _complete(raw):
    """The request's parts once http.client has written all of it, else None."""
    head_end = raw.find(_HEAD_END)
    if head_end < 0:
        return None
    lines = raw[:head_end].decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = []
    length = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip(), value.strip()
        lower = name.lower()
        if lower == "content-length":
            length = int(value)
        elif lower == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        if lower not in _DROPPED_REQUEST_HEADERS:
            headers.append([name, value])
    body = raw[head_end + len(_HEAD_END) :]
    if chunked:
        if not body.endswith(b"0\r\n\r\n"):
            return None
        body = _dechunk(body)
    elif length is not None:
        if len(body) < length:
            return None
        body = body[:length]
    # A body given as empty (Content-Length: 0) is sent as one, which some servers ask of a POST.
    return method, target, headers, bytes(body) if length is not None or chunked else None


class _HostSocket:
    """What http.client writes to and reads from in place of a socket."""

    def __init__(self, connection):
        self._connection = connection
        self._outgoing = bytearray()
        self._incoming = None

    def sendall(self, data):
        self._outgoing += data

    def settimeout(self, timeout):
        pass

    def setsockopt(self, *args):
        pass

    def close(self):
        pass

    def makefile(self, mode="rb", *args, **kwargs):
        incoming, self._incoming = self._incoming or b"", None
        return io.BytesIO(incoming)

    def exchange(self, required):
        """Sends the gathered request once it is whole (or, when `required`, fails if it is not)."""
        if self._incoming is not None or not self._outgoing:
            return
        parts = _complete(self._outgoing)
        if parts is None:
            if required:
                raise ConnectionError("the request was not sent whole before its response was asked for")
            return
        self._outgoing = bytearray()
        self._incoming = self._connection._lambent_fetch(*parts)


def _url(connection, target):
    if target.startswith("http://") or target.startswith("https://"):
        return target
    host = connection.host
    if ":" in host:
        host = f"[{host}]"
    return f"{connection._lambent_scheme}://{host}:{connection.port}{target}"


def _timeout_ms(timeout):
    if timeout is socket._GLOBAL_DEFAULT_TIMEOUT:
        timeout = socket.getdefaulttimeout()
    return 0 if timeout is None else max(1, int(timeout * 1000))


def _response_bytes(method, result):
    status = int(result.status)
    lines = [f"HTTP/1.1 {status} {result.statusText or ''}"]
    headers = result.headers.to_py()
    body = result.body.to_bytes()
    bodiless = method == "HEAD" or status in (204, 304) or 100 <= status < 200
    for name, value in headers:
        if name.lower() not in _DROPPED_RESPONSE_HEADERS or (bodiless and name.lower() == "content-length"):
            lines.append(f"{name}: {value}")
    if not bodiless:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body


def _connect(self):
    self.sock = _HostSocket(self)


def _lambent_fetch(self, method, target, headers, body):
    from pyodide.ffi import to_js

    if _fetch is None:
        raise ConnectionError("outbound HTTP is not available here")
    result = _fetch(_url(self, target), method, to_js(headers), to_js(body) if body is not None else None, "manual", _timeout_ms(self.timeout))
    if not result.ok:
        raise _failure(result.code, result.message)
    return _response_bytes(method, result)


def _patch_http_client(client):
    if getattr(client.HTTPConnection, "_lambent_scheme", None):
        return
    original_endheaders = client.HTTPConnection.endheaders
    original_getresponse = client.HTTPConnection.getresponse

    def endheaders(self, message_body=None, *, encode_chunked=False):
        original_endheaders(self, message_body, encode_chunked=encode_chunked)
        # Sent here when whole, so a refusal is raised while the request is sent, as urllib expects.
        if isinstance(self.sock, _HostSocket):
            self.sock.exchange(False)

    def getresponse(self):
        if isinstance(self.sock, _HostSocket):
            self.sock.exchange(True)
        return original_getresponse(self)

    client.HTTPConnection._lambent_scheme = "http"
    client.HTTPConnection.connect = _connect
    client.HTTPConnection._lambent_fetch = _lambent_fetch
    client.HTTPConnection.endheaders = endheaders
    client.HTTPConnection.getresponse = getresponse
    if not hasattr(client, "HTTPSConnection"):

        class HTTPSConnection(client.HTTPConnection):
            """An HTTPS connection whose TLS, certificate check included, the host carries out."""

            default_port = client.HTTPS_PORT
            _lambent_scheme = "https"

            def __init__(self, host, port=None, *, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, context=None, blocksize=8192, **ignored):
                super().__init__(host, port, timeout, source_address, blocksize=blocksize)
                self._context = context

        HTTPSConnection.__module__ = client.__name__
        client.HTTPSConnection = HTTPSConnection
        client.__all__.append("HTTPSConnection")
        # urllib.request's HTTPSHandler asks for a default SSL context; the host's TLS needs none.
        client._create_https_context = lambda http_version: None


_patch_http_client(http.client)


def install(fetch):
    """Called with python/http.ts's fetchSync once per interpreter, before the function's code runs."""
    global _fetch
    _fetch = fetch
