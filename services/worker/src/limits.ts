// The limits an invocation runs under and the errors Lambda reports when one is crossed: one place
// for each number and each message.

/** Largest synchronous response payload, in bytes (6 MB). */
export const MAX_RESPONSE_BYTES = 6_291_456;
/** How long a module's top-level code may run at initialisation. */
export const INIT_TIMEOUT_MS = 10_000;
/** `LogType: Tail` returns this many bytes from the end of the invocation's log. */
export const TAIL_LOG_BYTES = 4096;

/** What one invocation (or one init) may write to its log; past it lines are dropped after one note. */
export const MAX_LOG_BYTES_PER_INVOCATION = 4 * 1024 * 1024;

/** The longest one log line may be; the host cuts longer ones. */
export const MAX_LOG_LINE_CHARS = 256 * 1024;

/** Fetches one invocation may have in flight at once; more fail at once with a TypeError. */
export const MAX_FETCHES_IN_FLIGHT = 64;

const MB = 1024 * 1024;

// What one host call may cost. A synchronous host call runs on the sandbox process's main thread, which
// every environment of the process shares, so each is kept short: none carries more than
// MAX_HOST_CALL_BYTES either way or walks more than READDIR_PAGE_ENTRIES entries, and the sandbox makes
// several calls for more (a large file is read and written in pieces, a long hash fed in pieces).
// Compression runs off the main thread, on libuv's pool, while the isolate waits.

/** The most bytes one synchronous host call carries either way (1 MB): a file piece, hash input, random bytes. */
export const MAX_HOST_CALL_BYTES = 1 * MB;
/** The most names one `readdir` host call returns (and no more than MAX_HOST_CALL_BYTES of them); the sandbox asks for the rest. */
export const READDIR_PAGE_ENTRIES = 10_000;
/** /tmp: each file and directory costs its path's UTF-8 bytes plus this, against EphemeralStorage. */
export const TMP_ENTRY_OVERHEAD_BYTES = 512;
/** /tmp: each piece a file is kept in costs this too (appends add pieces; small ones are merged). */
export const TMP_CHUNK_OVERHEAD_BYTES = 256;
/** /tmp holds at most this many files and directories (ENOSPC past it). */
export const MAX_TMP_ENTRIES = 100_000;
/** One path component, and a whole path, at most (ENAMETOOLONG past them), as Linux. */
export const MAX_NAME_BYTES = 255;
export const MAX_PATH_BYTES = 4096;
/** A zlib conversion's input, and its output, at most min(the function's memory size, 64 MB). */
export const MAX_ZLIB_BYTES = 64 * MB;
/** zlib conversions running at once in one sandbox process (libuv's pool is shared with DNS); more wait. */
export const MAX_ZLIB_JOBS = 2;

/** The note that replaces a function's log once it passes MAX_LOG_BYTES_PER_INVOCATION. */
export function logLimitNote(line: string): string {
  const [time = new Date().toISOString(), requestId = "undefined"] = line.split("\t", 2);
  return `${time}\t${requestId}\tWARN\tLog output truncated: this invocation wrote more than ${MAX_LOG_BYTES_PER_INVOCATION} bytes of log; further lines are dropped`;
}

export interface FunctionError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
  /** A Python function's error names its call and lists its traceback as Lambda's Python runtime does. */
  requestId?: string;
  stackTrace?: string[];
}

export function timeoutError(requestId: string, timeoutSeconds: number): FunctionError {
  return { errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds` };
}

export function outOfMemoryError(requestId: string, memoryMb: number): FunctionError {
  return {
    errorType: "Runtime.OutOfMemory",
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: out of memory (limit ${memoryMb} MB)`,
  };
}

export function runtimeExitError(requestId: string, reason: string): FunctionError {
  return { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${reason}` };
}

/** Lambda's own wording, including the byte count it quotes (which is not the 6 MB limit itself). */
export function responseTooLargeError(): FunctionError {
  return {
    errorType: "Function.ResponseSizeTooLarge",
    errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
  };
}

/** A streamed response past Lambda's 20 MB, in the words of the 6 MB one. */
export function streamTooLargeError(): FunctionError {
  return {
    errorType: "Function.ResponseSizeTooLarge",
    errorMessage: "Response payload size exceeded maximum allowed payload size (20971520 bytes).",
  };
}
