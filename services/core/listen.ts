import type { Server } from 'node:net';
import { PortUnavailableError } from './errors';

const UNAVAILABLE: Readonly<Record<string, 'in-use' | 'not-permitted'>> = { EADDRINUSE: 'in-use', EACCES: 'not-permitted' };

/**
 * Starts `server` listening. Loopback unless a host is given: serving other hosts is a deliberate
 * choice (HTTP_HOST, MQTT_HOST). A port that is taken or not permitted rejects with a
 * PortUnavailableError (port, host), so the process shell can name the setting to change; any other
 * listen error is passed on as it is.
 */
export function listen(server: Server, port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException): void => {
      const reason = err.code === undefined ? undefined : UNAVAILABLE[err.code];
      reject(reason ? new PortUnavailableError(port, host, reason, err) : err);
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}
