/** One structured logger (pino); components take a child with their own namespace. */
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino(
    {
      level,
      base: { service: 'energy-monitor' },
      // Never log credentials, even if a caller passes a whole request or config object.
      redact: {
        paths: ['*.password', '*.token', '*.authorization', 'req.headers.authorization', '*.passwordSha256', '*.sha256'],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Synchronous writes: the lines before a fatal exit (process.exit) are never lost.
    },
    pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that writes nothing, for tests that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
