// Python functions in the worker's isolates: Lambda's Python programming model (handler, context, print
// and logging, the error shape), the package's modules and data files, /tmp and environment variables.
import { afterAll, describe, expect, it } from "vitest";
import { functionRecord, testInvoker } from "../testing/fixtures.js";

const t = testInvoker();
afterAll(() => t.close());

let counter = 0;
function deployPython(files: Record<string, string>, overrides: Parameters<typeof functionRecord>[0] = {}): string {
  const functionName = `py-${++counter}`;
  t.deploy(functionRecord({ functionName, runtime: "python3.12", handler: "lambda_function.lambda_handler", handlerFile: "lambda_function.py", ...overrides }), "# python\n", files);
  return functionName;
}

describe("Python functions", () => {
  it("runs lambda_handler with the event and Lambda's context", async () => {
    const name = deployPython({
      "lambda_function.py": [
        "import sys",
        "def lambda_handler(event, context):",
        "    return {",
        "        'event': event, 'version': sys.version_info[:2],",
        "        'request_id': context.aws_request_id, 'name': context.function_name, 'fn_version': context.function_version,",
        "        'arn': context.invoked_function_arn, 'memory': context.memory_limit_in_mb,",
        "        'group': context.log_group_name, 'stream': context.log_stream_name,",
        "        'remaining_ok': 0 < context.get_remaining_time_in_millis() <= 3000,",
        "    }",
      ].join("\n"),
    });
    const reply = await t.invoke(name, { hello: "world" });
    expect(reply.header.functionError, reply.text + reply.log).toBeUndefined();
    const answer = reply.json as Record<string, unknown>;
    expect(answer).toMatchObject({ event: { hello: "world" }, version: [3, 12], name, fn_version: "$LATEST", memory: "128", group: `/aws/lambda/${name}`, remaining_ok: true });
    expect(answer["request_id"]).toBe(reply.header.requestId);
    expect(String(answer["arn"])).toMatch(new RegExp(`:function:${name}$`));
    expect(String(answer["stream"])).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
  });

  it("writes print and logging to the invocation's log in Lambda's Python format, and keeps module state while warm", async () => {
    const name = deployPython({
      "lambda_function.py": [
        "import logging",
        "logger = logging.getLogger()",
        "logger.setLevel(logging.INFO)",
        "calls = 0",
        "print('loading')",
        "def lambda_handler(event, context):",
        "    global calls",
        "    calls += 1",
        "    print('hello from print', calls)",
        "    logger.info('info %s', event['n'])",
        "    logging.getLogger('child').warning('careful')",
        "    logger.debug('not shown')",
        "    return calls",
      ].join("\n"),
    });
    const first = await t.invoke(name, { n: 1 });
    expect(first.json).toBe(1);
    const id = first.header.requestId;
    expect(first.log).toContain("loading\n");
    expect(first.log).toContain("hello from print 1\n");
    expect(first.log).toMatch(new RegExp(`\\[INFO\\]\\t\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\t${id}\\tinfo 1\\n`));
    expect(first.log).toMatch(new RegExp(`\\[WARNING\\]\\t\\S+\\t${id}\\tcareful\\n`));
    expect(first.log).not.toContain("not shown");
    expect(first.log).toMatch(/REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms/);
    const second = await t.invoke(name, { n: 2 });
    expect(second.json).toBe(2);
    expect(second.log).not.toContain("loading");
    expect(second.log).not.toContain("Init Duration");
  });

  it("reports an exception in Lambda's Python error shape, with its traceback as a list of lines", async () => {
    const name = deployPython({
      "lambda_function.py": ["def helper():", "    raise ValueError('boom')", "", "def lambda_handler(event, context):", "    helper()"].join("\n"),
    });
    const reply = await t.invoke(name, {});
    expect(reply.header.functionError).toBe("Unhandled");
    expect(Object.keys(reply.json as object)).toEqual(["errorMessage", "errorType", "requestId", "stackTrace"]);
    expect(reply.json).toEqual({
      errorMessage: "boom",
      errorType: "ValueError",
      requestId: reply.header.requestId,
      stackTrace: [
        '  File "/var/task/lambda_function.py", line 5, in lambda_handler\n    helper()\n',
        '  File "/var/task/lambda_function.py", line 2, in helper\n    raise ValueError(\'boom\')\n',
      ],
    });
    expect(reply.log).toContain("[ERROR] ValueError: boom\nTraceback (most recent call last):\n");
    // The environment lives on after a handled exception, as on Lambda.
    expect((await t.invoke(name, {})).json).toMatchObject({ errorType: "ValueError" });
  });

  it("reports a missing module, a missing handler, a syntax error and an unserialisable result as Lambda does", async () => {
    const missingModule = deployPython({ "other.py": "x = 1\n" });
    expect((await t.invoke(missingModule, {})).json).toEqual({
      errorMessage: "Unable to import module 'lambda_function': No module named 'lambda_function'",
      errorType: "Runtime.ImportModuleError",
      requestId: "",
      stackTrace: [],
    });
    const missingHandler = deployPython({ "lambda_function.py": "def other(event, context):\n    return 1\n" });
    expect((await t.invoke(missingHandler, {})).json).toMatchObject({ errorType: "Runtime.HandlerNotFound", errorMessage: "Handler 'lambda_handler' missing on module 'lambda_function'" });
    const syntax = deployPython({ "lambda_function.py": "def lambda_handler(event, context)\n    return 1\n" });
    expect((await t.invoke(syntax, {})).json).toMatchObject({ errorType: "Runtime.UserCodeSyntaxError", errorMessage: expect.stringMatching(/^Syntax error in module 'lambda_function': .* \(lambda_function\.py, line 1\)$/) });
    const unserialisable = deployPython({ "lambda_function.py": "def lambda_handler(event, context):\n    return {1, 2}\n" });
    expect((await t.invoke(unserialisable, {})).json).toMatchObject({ errorType: "Runtime.MarshalError", errorMessage: "Unable to marshal response: Object of type set is not JSON serializable" });
  });

  it("imports vendored packages and reads data files from the package, writes /tmp, and sees its environment variables", async () => {
    const name = deployPython(
      {
        "app/handlers.py": [
          "import os, json, pathlib",
          "import tinylib",
          "from tinylib.sub import shout",
          "def handle(event, context):",
          "    data = json.loads(pathlib.Path(__file__).with_name('data.json').read_text())",
          "    with open('/tmp/scratch.txt', 'w') as f:",
          "        f.write('kept')",
          "    return {",
          "        'greeting': shout(tinylib.greet(event['who'])), 'data': data, 'cwd': os.getcwd(),",
          "        'tmp': open('/tmp/scratch.txt').read(), 'var': os.environ['GREETING'], 'fn': os.environ['AWS_LAMBDA_FUNCTION_NAME'],",
          "        'task_root': os.environ['LAMBDA_TASK_ROOT'], 'listing': sorted(os.listdir('/var/task')),",
          "    }",
        ].join("\n"),
        "app/__init__.py": "",
        "app/data.json": '{"rows": [1, 2, 3]}',
        "tinylib/__init__.py": "def greet(who):\n    return f'hello {who}'\n",
        "tinylib/sub.py": "def shout(text):\n    return text.upper()\n",
      },
      { handler: "app.handlers.handle", handlerFile: "app/handlers.py", environment: { GREETING: "hi" } },
    );
    const reply = await t.invoke(name, { who: "python" });
    expect(reply.header.functionError, reply.text).toBeUndefined();
    expect(reply.json).toEqual({
      greeting: "HELLO PYTHON",
      data: { rows: [1, 2, 3] },
      cwd: "/var/task",
      tmp: "kept",
      var: "hi",
      fn: name,
      task_root: "/var/task",
      listing: ["app", "tinylib"],
    });
  });

  it("runs an async def handler", async () => {
    const name = deployPython({
      "lambda_function.py": ["import asyncio", "async def lambda_handler(event, context):", "    await asyncio.sleep(0.01)", "    return {'waited': True, 'id': context.aws_request_id}"].join("\n"),
    });
    const reply = await t.invoke(name, {});
    expect(reply.header.functionError, reply.text).toBeUndefined();
    expect(reply.json).toEqual({ waited: true, id: reply.header.requestId });
  });

  it("times out alone: the call fails with Lambda's timeout, and the function's next call starts afresh", async () => {
    const name = deployPython({ "lambda_function.py": "import os\ndef lambda_handler(event, context):\n    if event.get('spin'):\n        while True:\n            pass\n    return os.getpid()\n" }, { timeout: 1 });
    const other = deployPython({ "lambda_function.py": "def lambda_handler(event, context):\n    return 'still here'\n" });
    const timedOut = await t.invoke(name, { spin: true });
    expect(timedOut.header.functionError).toBe("Unhandled");
    expect(timedOut.json).toMatchObject({ errorType: "Sandbox.Timedout", errorMessage: expect.stringContaining("Task timed out after 1.00 seconds") });
    expect((await t.invoke(name, {})).header.functionError).toBeUndefined();
    expect((await t.invoke(other, {})).json).toBe("still here");
  });

  it("runs out of memory alone: its wasm memory stops at the function's memory size, and other functions run on", async () => {
    const name = deployPython({
      "lambda_function.py": "held = []\ndef lambda_handler(event, context):\n    while True:\n        held.append(bytearray(8 * 1024 * 1024))\n        print(len(held))\n",
    }, { timeout: 60 });
    const other = deployPython({ "lambda_function.py": "def lambda_handler(event, context):\n    return 'still here'\n" });
    const exhausted = await t.invoke(name, {});
    expect(exhausted.header.functionError).toBe("Unhandled");
    expect((exhausted.json as { errorType: string }).errorType, exhausted.text + exhausted.log).toMatch(/^(MemoryError|Runtime\.OutOfMemory)$/);
    expect((await t.invoke(other, {})).json).toBe("still here");
  });
});
