/**
 * Subscribes to the meters' topics with QoS 1 on a persistent session, so that the broker keeps
 * what arrives while the service is away. Each message is handed to the pipeline before the
 * PUBACK goes out: mqtt.js sends the acknowledgement when `handleMessage` calls back.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../services/core/log';
import { redactUrl } from '../services/core/security';
import type { MqttClientTlsOptions } from '../config/tlsOptions';
import type { RawMessage } from './decode';

export interface MqttSourceOptions {
  /** A function when the URL is known only at start (the embedded broker's port). */
  readonly url: string | (() => string);
  readonly username?: string;
  readonly password?: string;
  /** Stable client id: the broker keys the persistent session on it. */
  readonly clientId: string;
  readonly topics: readonly string[];
  readonly protocolVersion?: 4 | 5;
  /** CA, client certificate and key for mqtts:// (config/tlsOptions.ts). */
  readonly tls?: MqttClientTlsOptions;
}

export class MqttSource {
  private client: MqttClient | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly options: MqttSourceOptions,
    /** `accept` may return a promise (IngestPipeline.accept): the PUBACK waits for it. */
    private readonly deps: { accept: (msg: RawMessage) => Promise<void> | void; logger: Logger; now?: () => number },
  ) {}

  get connected(): boolean {
    return this.client?.connected === true;
  }

  get status(): { ok: boolean; detail?: string } {
    return this.connected ? { ok: true } : { ok: false, detail: this.lastError ?? 'not connected' };
  }

  async start(): Promise<void> {
    const { options, deps } = this;
    const v5 = options.protocolVersion === 5;
    const url = typeof options.url === 'function' ? options.url() : options.url;
    const client = mqtt.connect(url, {
      ...options.tls,
      clientId: options.clientId,
      clean: false,
      protocolVersion: options.protocolVersion ?? 4,
      // MQTT 5 ends a session when the connection closes unless an expiry is set.
      ...(v5 && { properties: { sessionExpiryInterval: 0xffffffff } }),
      ...(options.username !== undefined && { username: options.username }),
      ...(options.password !== undefined && { password: options.password }),
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      resubscribe: true,
    });
    const safeUrl = redactUrl(url);
    client.handleMessage = (packet, callback) => {
      const refuse = (err: unknown): void => {
        // Not journaled (journal closed, disk full): no PUBACK, so the broker delivers it again.
        const error = err instanceof Error ? err : new Error(String(err));
        deps.logger.error(
          { err: error.message, topic: packet.topic, url: safeUrl },
          'MQTT message not accepted; not acknowledged, the broker will redeliver',
        );
        callback(error);
      };
      let written: Promise<void> | void;
      try {
        written = deps.accept({
          topic: packet.topic,
          payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
          receivedAt: deps.now ? deps.now() : Date.now(),
        });
      } catch (err) {
        refuse(err);
        return;
      }
      // Only an oversized message's quarantine write is asynchronous; everything else is on disk now.
      if (written) written.then(() => callback(), refuse);
      else callback();
    };
    client.on('connect', (connack) => {
      this.lastError = undefined;
      deps.logger.info({ url: safeUrl, sessionPresent: connack.sessionPresent }, 'MQTT connected');
      if (!connack.sessionPresent) {
        client.subscribe([...options.topics], { qos: 1 }, (err) => {
          if (err) deps.logger.error({ err: err.message }, 'MQTT subscribe failed');
        });
      }
    });
    client.on('error', (err) => {
      this.lastError = err.message;
      deps.logger.error({ err: err.message }, 'MQTT error');
    });
    client.on('offline', () => {
      this.lastError ??= 'offline';
      deps.logger.warn('MQTT offline; reconnecting');
    });
    this.client = client;
    await new Promise<void>((resolve) => {
      // Start-up does not wait forever for a broker that is down: the client keeps reconnecting.
      const timer = setTimeout(resolve, 5000);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    if (!this.client) return;
    await this.client.endAsync();
    this.client = undefined;
  }
}
