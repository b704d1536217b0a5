/** Turns errors into the contract's JSON error `{"error": {"code", "message"}}` with a proper status (422 refusals add `problems`). */
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../core/errors';
import type { Logger } from '../core/log';

const STATUS: Record<string, number> = {
  'bad-request': 400,
  'bad-json': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  'payload-too-large': 413,
  'too-many': 429,
};

function statusOf(err: AppError): number {
  return STATUS[err.code] ?? (err.code.endsWith('-unavailable') ? 503 : 500);
}

export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let status = 500;
    let code = 'internal';
    let message = 'internal error';
    let problems: unknown[] | undefined;
    if (err instanceof AppError) {
      status = statusOf(err);
      code = err.code;
      message = err.message;
      // A refusal (422) lists every problem (contract 8), wherever it is thrown.
      if (status === 422 && Array.isArray(err.context.problems)) problems = err.context.problems as unknown[];
    } else if (err && typeof err === 'object' && 'type' in err && err.type === 'entity.parse.failed') {
      status = 400;
      code = 'bad-json';
      message = 'request body is not valid JSON';
    } else if (err && typeof err === 'object' && 'type' in err && err.type === 'entity.too.large') {
      status = 413;
      code = 'payload-too-large';
      message = 'request body too large';
    }
    if (status >= 500) logger.error({ err, method: req.method, path: req.path }, 'request failed');
    res.status(status).json({ error: { code, message, ...(problems && { problems }) } });
  };
}

export function notFoundHandler(req: Request, res: Response): void {
  res.status(404).json({ error: { code: 'not-found', message: `no route ${req.method} ${req.path}` } });
}
