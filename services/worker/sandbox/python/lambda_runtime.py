# Lambda's Python programming model inside the isolate: the handler found by its module path, the
# context object, print and logging to the invocation's log in Lambda's format, and an exception turned
# into Lambda's error shape. Imported once when the interpreter's snapshot is made (so the modules it
# imports are in the snapshot), then set up for one function by `setup` and driven by `invoke`.
import asyncio
import importlib
import inspect
import io
import json
import logging
import os
import sys
import time
import traceback

TASK_ROOT = "/var/task"

_write_line = None
_handler = None
_function = {}
_request_id = None
# The function's variables as setup set them: a restored snapshot's environment sets again only those that differ.
_environment = {}


def _runtime_frame(frame):
    return frame.filename == __file__


def _stack_trace(error):
    """The traceback's lines as Lambda lists them, without this module's own frames."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if not _runtime_frame(frame)]
    return traceback.format_list(frames)


def _error(error, error_type=None, message=None, stack=None):
    return {
        "errorMessage": str(error) if message is None else message,
        "errorType": error_type or type(error).__name__,
        "requestId": _request_id or "",
        "stackTrace": _stack_trace(error) if stack is None else stack,
    }


def _log_error(shape):
    lines = "".join(shape["stackTrace"])
    text = f"[ERROR] {shape['errorType']}: {shape['errorMessage']}"
    if lines:
        text += "\nTraceback (most recent call last):\n" + lines.rstrip("\n")
    _write_line(text)


class _LogStream(io.TextIOBase):
    """stdout and stderr: each finished line is one line of the invocation's log."""

    def __init__(self):
        self._pending = ""

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        self._pending += text
        if "\n" in self._pending:
            *lines, self._pending = self._pending.split("\n")
            for line in lines:
                _write_line(line)
        return len(text)

    def flush(self):
        if self._pending:
            line, self._pending = self._pending, ""
            _write_line(line)


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        return True


class _LambdaLogHandler(logging.Handler):
    def emit(self, record):
        try:
            _write_line(self.format(record))
        except Exception:
            self.handleError(record)


def _install_logging():
    formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler = _LambdaLogHandler()
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)


class LambdaContext:
    """The `context` argument, as Lambda's Python runtime builds it."""

    def __init__(self, request_id, deadline_ms, invoked_function_arn, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = _function["function_name"]
        self.function_version = _function["function_version"]
        self.memory_limit_in_mb = _function["memory_limit_in_mb"]
        self.log_group_name = _function["log_group_name"]
        self.log_stream_name = _function["log_stream_name"]
        self.identity = None
        self.client_context = client_context
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def __repr__(self):
        return f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},log_stream_name={self.log_stream_name},function_name={self.function_name},memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},identity={self.identity}])"


def setup(write_line, function_json, environment_json, handler):
    """Readies the interpreter for one function: its log, its variables, its package; then imports the handler's module.
    Returns None, or Lambda's error shape as JSON when the handler cannot be loaded."""
    global _write_line, _handler, _function, _environment
    _write_line = write_line
    # Every environment starts from one snapshot: `random` is seeded again, from this environment's entropy.
    if "random" in sys.modules:
        sys.modules["random"].seed()
    _function = json.loads(function_json)
    sys.stdout = _LogStream()
    sys.stderr = _LogStream()
    _environment = json.loads(environment_json)
    os.environ.clear()
    os.environ.update(_environment)
    if TASK_ROOT not in sys.path:
        sys.path.insert(0, TASK_ROOT)
    # The package was written after the interpreter started: no finder may answer from an older listing
    # of it (importlib.invalidate_caches would also re-read the standard library's zip, at a cost).
    sys.path_importer_cache.pop(TASK_ROOT, None)
    os.chdir(TASK_ROOT)
    _install_logging()
    module_name, _, function_name = handler.rpartition(".")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as error:
        where = f"({os.path.basename(error.filename or '')}, line {error.lineno})"
        return _init_error(error, "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error.msg} {where}")
    except ImportError as error:
        return _init_error(error, "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}", [])
    except Exception as error:
        return _init_error(error, None, None)
    finally:
        _flush()
    found = getattr(module, function_name, None)
    if found is None:
        return json.dumps({"errorMessage": f"Handler '{function_name}' missing on module '{module_name}'", "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []})
    _handler = found
    return None


def _discard_line(line):
    pass


_fetched_at_import = False


def _refuse_fetch(*args):
    global _fetched_at_import
    _fetched_at_import = True
    raise ConnectionError("outbound HTTP is not available while a snapshot is made")


def setup_for_snapshot(function_json, environment_json, handler):
    """setup, with a log that goes nowhere and HTTP refused, both written in Python: the snapshot taken after it
    may hold no JavaScript function (Pyodide refuses to serialise one). Returns what setup returns, or an
    error when the import tried HTTP: its module would then hold what a refused request left, not what the
    function's own environments get."""
    import lambent_http

    lambent_http.install(_refuse_fetch)
    missing = setup(_discard_line, function_json, environment_json, handler)
    lambent_http.install(None)
    if missing is None and _fetched_at_import:
        return json.dumps({"errorMessage": "the module's import made an HTTP request", "errorType": "Runtime.SnapshotRefused"})
    return missing


def resume(write_line, function_json, environment_json):
    """Makes an interpreter restored from this function's own snapshot (taken after setup_for_snapshot) this
    environment's: its log, its names, fresh random numbers, and of its variables those that differ from the
    snapshot's (the log stream's name); what the module's import changed in os.environ stays, as it would."""
    global _write_line, _function, _environment
    _write_line = write_line
    if "random" in sys.modules:
        sys.modules["random"].seed()
    _function = json.loads(function_json)
    environment = json.loads(environment_json)
    for name, value in environment.items():
        if _environment.get(name) != value:
            os.environ[name] = value
    _environment = environment
    # The working directory is the file system's, which lives outside the snapshot.
    os.chdir(TASK_ROOT)


def _init_error(error, error_type, message, stack=None):
    shape = _error(error, error_type, message, stack)
    _log_error(shape)
    return json.dumps(shape)


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _outcome(result):
    try:
        return "0" + json.dumps(result)
    except Exception as error:
        shape = _error(error, "Runtime.MarshalError", f"Unable to marshal response: {error}", [])
        _log_error(shape)
        return "1" + json.dumps(shape)


def _failure(error):
    if isinstance(error, SystemExit):
        shape = {"errorType": "Runtime.ExitError", "errorMessage": f"RequestId: {_request_id} Error: Runtime exited with error: exit status {error.code}", "trace": []}
        return "2" + json.dumps(shape)
    shape = _error(error)
    _log_error(shape)
    return "1" + json.dumps(shape)


def invoke(event_json, request_id, deadline_ms, invoked_function_arn, client_context_json):
    """Runs the handler: the outcome string the host decodes, or a coroutine for an `async def` handler."""
    global _request_id
    _request_id = request_id
    try:
        event = json.loads(event_json) if event_json else {}
        client_context = json.loads(client_context_json) if client_context_json else None
        result = _handler(event, LambdaContext(request_id, deadline_ms, invoked_function_arn, client_context))
        if inspect.isawaitable(result):
            return _finish(result)
        return _outcome(result)
    except BaseException as error:
        return _failure(error)
    finally:
        _flush()


async def _finish(awaitable):
    try:
        return _outcome(await awaitable)
    except BaseException as error:
        return _failure(error)
    finally:
        _flush()
