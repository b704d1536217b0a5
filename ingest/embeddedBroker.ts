/**
 * The in-process MQTT broker (aedes) used when MQTT_URL is unset. It enforces the per-enterprise
 * credentials of the configuration: a gateway account publishes only under energy/{its enterprise};
 * a refused publish goes to the quarantine as `not-authorized` (contract 2) instead of vanishing.
 * Anonymous clients are refused unless `allowAnonymous` is set (they may then publish for any
 * enterprise, so it is meant for a closed demo network only).
 */
import Aedes, { type AuthenticateError, type Client } from 'aedes';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { Config } from '../config/schema';
import type { Logger } from '../services/log';
import { matchSecret, sha256Hex } from '../services/security';
import type { QuarantineInput } from '../services/store/stateStore';
import type { BrokerTlsOptions } from '../services/tlsOptions';
import { parseTopic } from './decode';

type Account = Config['auth']['mqtt'][number];

export interface EmbeddedBrokerOptions {
  readonly port: number;
  readonly host?: string;
  readonly accounts: readonly Account[];
  /** Accept clients without a user name (publishing for any enterprise). Default false. */
  readonly allowAnonymous?: boolean;
  /** Also listen with TLS (MQTT_TLS_CERT_FILE / MQTT_TLS_KEY_FILE / MQTT_TLS_PORT). */
  readonly tls?: BrokerTlsOptions;
}

export class EmbeddedBroker {
  private readonly aedes: Aedes;
  private server: net.Server | undefined;
  private tlsServer: tls.Server | undefined;
  private readonly accountOf = new WeakMap<Client, Account>();
  /** Credentials of the service's own ingest client, made up at start and never written anywhere. */
  readonly internal = { username: `energy-monitor-internal-${randomBytes(4).toString('hex')}`, password: randomBytes(24).toString('hex') };
  private boundPort = 0;

  constructor(
    private readonly options: EmbeddedBrokerOptions,
    private readonly deps: { logger: Logger; onRefused: (item: QuarantineInput) => void; now?: () => number },
  ) {
    const internalAccount: Account = { username: this.internal.username, passwordSha256: sha256Hex(this.internal.password), role: 'service' };
    const accounts = [...options.accounts, internalAccount];
    const anonymousAllowed = options.allowAnonymous === true;
    const noGatewayAccounts = !options.accounts.some((a) => a.role === 'gateway');
    const NO_ACCOUNTS = 'no gateway accounts are configured in auth.mqtt and allowAnonymous is off: the embedded broker refuses every gateway';
    if (anonymousAllowed) deps.logger.warn('allowAnonymous is set: the embedded broker accepts anonymous gateways, for any enterprise');
    else if (noGatewayAccounts) deps.logger.error(NO_ACCOUNTS);
    this.aedes = new Aedes({
      authenticate: (client, username, password, done) => {
        const account = username === undefined ? undefined : accounts.find((a) => a.username === username);
        const ok = account !== undefined && password !== undefined && matchSecret(password, [account], (a) => a.passwordSha256) !== undefined;
        if (ok) {
          this.accountOf.set(client, account);
          done(null, true);
          return;
        }
        if (anonymousAllowed && username === undefined) {
          done(null, true);
          return;
        }
        if (username === undefined && noGatewayAccounts) deps.logger.error({ clientId: client.id }, `MQTT login refused: ${NO_ACCOUNTS}`);
        else deps.logger.warn({ clientId: client.id, username }, 'MQTT login refused');
        const err = new Error('bad user name or password') as AuthenticateError;
        err.returnCode = 4;
        done(err, false);
      },
      authorizePublish: (client, packet, callback) => {
        if (client === null || packet.topic.startsWith('$SYS')) return callback(null);
        const account = this.accountOf.get(client);
        const topic = parseTopic(packet.topic);
        const allowed = account === undefined ? anonymousAllowed : account.role === 'service' || (topic !== undefined && topic.enterprise === account.enterprise);
        if (allowed) return callback(null);
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload.toString('utf8') : String(packet.payload);
        this.deps.onRefused({
          topic: packet.topic, payload, reason: 'not-authorized', receivedAt: this.now(), clientId: client.id,
          detail: `MQTT user "${account?.username ?? '(anonymous)'}" may not publish for ${topic ? `enterprise ${topic.enterprise}` : 'this topic'}`,
          ...(topic && { enterprise: topic.enterprise }), ...(topic?.meter !== undefined && { meter: topic.meter }),
        });
        callback(new Error('not authorized'));
      },
      authorizeSubscribe: (client, sub, callback) => {
        const account = this.accountOf.get(client);
        // Gateways may read back only their own enterprise's topics; the service reads all.
        if (account?.role === 'service' || (account === undefined && anonymousAllowed)) return callback(null, sub);
        const prefix = `energy/${account?.enterprise ?? ''}`;
        if (account?.enterprise !== undefined && (sub.topic === prefix || sub.topic.startsWith(`${prefix}/`))) return callback(null, sub);
        callback(new Error('not authorized'), null);
      },
    });
  }

  get port(): number {
    return this.boundPort;
  }

  get healthy(): boolean {
    return this.server?.listening === true && (this.options.tls === undefined || this.tlsServer?.listening === true) && !this.aedes.closed;
  }

  async start(): Promise<void> {
    const server = net.createServer(this.aedes.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => resolve());
    });
    this.server = server;
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : this.options.port;
    if (this.options.tls) {
      const { cert, key, port } = this.options.tls;
      const secure = tls.createServer({ cert, key }, this.aedes.handle);
      await new Promise<void>((resolve, reject) => {
        secure.once('error', reject);
        secure.listen(port, this.options.host ?? '0.0.0.0', () => resolve());
      });
      this.tlsServer = secure;
    }
    this.deps.logger.info({ port: this.boundPort, tlsPort: this.options.tls?.port }, 'embedded MQTT broker listening');
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.tlsServer ? this.tlsServer.close(() => resolve()) : resolve()));
    this.server = undefined;
    this.tlsServer = undefined;
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }
}
