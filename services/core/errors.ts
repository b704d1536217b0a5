/**
 * Named errors that carry context and say whether retrying can help. The HTTP layer turns them
 * into the contract's JSON error `{"error": {"code", "message"}}`.
 */
export class AppError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: { retryable?: boolean; context?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}

/** A dependency (database, broker, mail server) did not answer as expected. */
export class DependencyError extends AppError {
  constructor(dependency: string, message: string, options: { retryable?: boolean; context?: Record<string, unknown>; cause?: unknown } = {}) {
    super(`${dependency}-unavailable`, message, { retryable: true, ...options, context: { dependency, ...options.context } });
  }
}

/** Input from outside (HTTP parameters, bodies) that does not fit; maps to 400. */
export class BadRequestError extends AppError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('bad-request', message, { context });
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, context: Record<string, unknown> = {}) {
    super('not-found', `${what} not found`, { context });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'a valid bearer token is required') {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'this role may not do that') {
    super('forbidden', message);
  }
}

/** A client holds more of something than it may (e.g. open live streams); maps to 429. */
export class TooManyError extends AppError {
  constructor(message: string) {
    super('too-many', message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A listener could not bind its address: the port is taken (EADDRINUSE) or needs privileges
 * (EACCES). Not retryable: the process shell names the setting that chooses the port and exits 2.
 */
export class PortUnavailableError extends AppError {
  readonly port: number;
  readonly host: string;
  readonly reason: 'in-use' | 'not-permitted';

  constructor(port: number, host: string, reason: 'in-use' | 'not-permitted', cause: unknown) {
    const why = reason === 'in-use' ? 'is already in use' : 'may not be opened by this user';
    super('port-unavailable', `port ${port} on ${host} ${why}`, { context: { port, host, reason }, cause });
    this.port = port;
    this.host = host;
    this.reason = reason;
  }
}
