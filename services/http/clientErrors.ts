/**
 * Client errors answered in the contract's JSON shape with their own 4xx status: those Express and
 * its body parser raise, and those Node's HTTP parser refuses before Express sees them.
 */
import type { NextFunction, Request, Response } from 'express';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '../core/errors';

/**
 * Client errors raised by Express and its body parser (http-errors with a 4xx status, e.g. a path
 * parameter that is not valid percent-encoding, an unsupported charset) answer with their own
 * status in the contract's shape instead of a 500. Malformed and oversized JSON bodies, and the
 * service's own errors, go on to the error handler.
 */
const HTTP_ERROR_CODES: Record<number, string> = { 400: 'bad-request', 413: 'payload-too-large', 415: 'unsupported-media-type' };

export function clientErrorHandler(err: unknown, req: Request, res: Response, next: NextFunction): void {
  if (err instanceof AppError || !err || typeof err !== 'object' || res.headersSent) return next(err);
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; expose?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined || status < 400 || status > 499 || e.type === 'entity.parse.failed' || e.type === 'entity.too.large') return next(err);
  // A body that fails to decompress reaches here as zlib's (or brotli's) own error, wrapped with
  // status 400 and no `type`: its text describes the library's internals, never echoed.
  const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (status === 400 && typeof e.type !== 'string' && encoding !== 'identity') {
    res.status(400).json({
      error: {
        code: 'bad-encoding',
        message: `the request body is not valid ${encoding === 'gzip' || encoding === 'deflate' || encoding === 'br' ? encoding : 'compressed'} data`,
      },
    });
    return;
  }
  // Only the body parser's own errors (they carry a `type`, e.g. charset.unsupported) keep their
  // text; an error wrapped from elsewhere (a library, a stream) gets the status text.
  const message =
    typeof e.type === 'string' && e.expose === true && typeof e.message === 'string' ? e.message : (http.STATUS_CODES[status] ?? 'client error');
  const code = HTTP_ERROR_CODES[status] ?? (http.STATUS_CODES[status] ?? 'client-error').toLowerCase().replace(/[^a-z0-9]+/g, '-');
  res.status(status).json({ error: { code, message } });
}

/**
 * Requests Node's HTTP parser refuses before Express sees them (header block over 16 KiB,
 * malformed request line, timeout) answer with Node's usual status, but as the contract's JSON error.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers-too-large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request-timeout']
        : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
          ? [413, 'payload-too-large']
          : [400, 'bad-request'];
  const body = JSON.stringify({ error: { code, message: http.STATUS_CODES[status] ?? 'bad request' } });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
