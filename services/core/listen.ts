import type { Server } from 'node:net';

/**
 * Starts `server` listening; rejects with the listen error (EADDRINUSE ...). Loopback unless a host
 * is given: serving other hosts is a deliberate choice (HTTP_HOST, MQTT_HOST).
 */
export function listen(server: Server, port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
