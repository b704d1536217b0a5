/**
 * The in-process MQTT broker (aedes) used when MQTT_URL is unset. It enforces the per-enterprise
 * credentials of the configuration: a gateway account publishes only under energy/{its enterprise};
 * a refused publish goes to the quarantine as `not-authorized` (contract 2) instead of vanishing,
 * filed under the publishing account's enterprise (the topic's enterprise did nothing).
 * Anonymous clients are refused unless `allowAnonymous` is set (they may then publish for any
 * enterprise, so it is meant for a closed demo network only).
 *
 * What one client can do to others is bounded (README "Security"): the service's client ids
 * (`energy-monitor-*` and its configured id) belong to service accounts only, and no account may
 * connect with a client id that another account's connection holds (MQTT lets the newcomer take
 * the session over: a gateway could wipe the service's persistent session and with it acknowledged
 * readings); packets over `maxPacketBytes` close the connection before they are buffered; an
 * account has at most `maxConnectionsPerAccount` connections.
 */
import Aedes, { type AuthenticateError, type Client } from 'aedes';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Config } from '../config/schema';
import type { Logger } from '../services/core/log';
import { listen } from '../services/core/listen';
import { matchSecret, sha256Hex } from '../services/core/security';
import type { QuarantineInput } from '../services/store/state/stateStore';
import type { BrokerTlsOptions } from '../config/tlsOptions';
import { parseTopic } from './decode';
import { guardPacketSize } from './packetSizeGuard';
import { payloadSample } from './payloadSample';
import { RefusalRecorder } from './refusalRecorder';

type Account = Config['auth']['mqtt'][number];

/** Client ids with this prefix are the service's own (config/load.ts, services/instanceId.ts). */
export const SERVICE_CLIENT_ID_PREFIX = 'energy-monitor-';

/** CONNACK return codes of MQTT 3.1.1 [MQTT-3.2.2.3]. */
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_CREDENTIALS = 4;

export const DEFAULT_MAX_PACKET_BYTES = 1024 * 1024;
export const DEFAULT_MAX_CONNECTIONS_PER_ACCOUNT = 10;
/** Client ids whose owning account is remembered (about 100 bytes each). */
const MAX_REMEMBERED_CLIENT_IDS = 100_000;

export interface EmbeddedBrokerOptions {
  readonly port: number;
  readonly host?: string;
  readonly accounts: readonly Account[];
  /** Accept clients without a user name (publishing for any enterprise). Default false. */
  readonly allowAnonymous?: boolean;
  /** Also listen with TLS (MQTT_TLS_CERT_FILE / MQTT_TLS_KEY_FILE / MQTT_TLS_PORT). */
  readonly tls?: BrokerTlsOptions;
  /** Largest MQTT packet accepted, bytes (default 1 MiB); a larger one closes the connection. */
  readonly maxPacketBytes?: number;
  /** Simultaneous connections per account (default 10). */
  readonly maxConnectionsPerAccount?: number;
  /** Client ids reserved to service accounts besides `energy-monitor-*` (an explicit MQTT_CLIENT_ID). */
  readonly reservedClientIds?: readonly string[];
}

export class EmbeddedBroker {
  private readonly aedes: Aedes;
  private server: net.Server | undefined;
  private tlsServer: tls.Server | undefined;
  private readonly accountOf = new WeakMap<Client, Account>();
  /** Open connections per user name, for the per-account limit. */
  private readonly connectionsOf = new Map<string, Set<Client>>();
  /**
   * The account that last held each client id, kept after it disconnects: aedes keeps an offline
   * persistent session (and its queued messages) under the id alone, so another account must not
   * take the id over then either. Bounded; the oldest ids are forgotten first.
   */
  private readonly ownerOf = new Map<string, string>();
  private readonly refusals: RefusalRecorder;
  /** Quarantine writes of refused publishes still under way: stop() waits for them. */
  private readonly refusalWrites = new Set<Promise<void>>();
  /** Credentials of the service's own ingest client, made up at start and never written anywhere. */
  readonly internal = { username: `energy-monitor-internal-${randomBytes(4).toString('hex')}`, password: randomBytes(24).toString('hex') };
  private boundPort = 0;
  /** Connections closed for an oversized packet, since start. */
  oversizedPackets = 0;

  constructor(
    private readonly options: EmbeddedBrokerOptions,
    /** `onRefused` writes the item to the quarantine; the refusal itself does not wait for it. */
    private readonly deps: { logger: Logger; onRefused: (item: QuarantineInput) => Promise<void>; now?: () => number },
  ) {
    const internalAccount: Account = { username: this.internal.username, passwordSha256: sha256Hex(this.internal.password), role: 'service' };
    const accounts = [...options.accounts, internalAccount];
    const anonymousAllowed = options.allowAnonymous === true;
    const noGatewayAccounts = !options.accounts.some((a) => a.role === 'gateway');
    const NO_ACCOUNTS = 'no gateway accounts are configured in auth.mqtt and allowAnonymous is off: the embedded broker refuses every gateway';
    if (anonymousAllowed) deps.logger.warn('allowAnonymous is set: the embedded broker accepts anonymous gateways, for any enterprise');
    else if (noGatewayAccounts) deps.logger.error(NO_ACCOUNTS);
    this.refusals = new RefusalRecorder({}, { record: (item) => this.recordRefusal(item), now: () => this.now() });
    const refuse = (done: (err: AuthenticateError | null, ok: boolean | null) => void, returnCode: number, message: string): void => {
      const err = new Error(message) as AuthenticateError;
      err.returnCode = returnCode;
      done(err, false);
    };
    this.aedes = new Aedes({
      authenticate: (client, username, password, done) => {
        const account = username === undefined ? undefined : accounts.find((a) => a.username === username);
        const ok = account !== undefined && password !== undefined && matchSecret(password, [account], (a) => a.passwordSha256) !== undefined;
        if (!ok && !(anonymousAllowed && username === undefined)) {
          if (username === undefined && noGatewayAccounts) deps.logger.error({ clientId: client.id }, `MQTT login refused: ${NO_ACCOUNTS}`);
          else deps.logger.warn({ clientId: client.id, username }, 'MQTT login refused');
          refuse(done, BAD_CREDENTIALS, 'bad user name or password');
          return;
        }
        const problem = this.connectProblem(client, account);
        if (problem) {
          deps.logger.warn({ clientId: client.id, username, problem: problem.message }, 'MQTT connection refused');
          refuse(done, problem.returnCode, problem.message);
          return;
        }
        if (account) this.accountOf.set(client, account);
        done(null, true);
      },
      authorizePublish: (client, packet, callback) => {
        if (client === null) return callback(null);
        const account = this.accountOf.get(client);
        const topic = parseTopic(packet.topic);
        // $SYS is the broker's own: aedes closes the client named in a `$SYS/<id>/new/clients` publish,
        // so a client publishing there could disconnect anyone, the service included.
        const system = packet.topic.startsWith('$SYS');
        const allowed =
          !system &&
          (account === undefined ? anonymousAllowed : account.role === 'service' || (topic !== undefined && topic.enterprise === account.enterprise));
        if (allowed) return callback(null);
        const name = account?.username ?? '(anonymous)';
        const target = system ? '$SYS' : topic ? `enterprise ${topic.enterprise}` : 'this topic';
        this.refusals.refuse(name, {
          topic: packet.topic,
          payload: payloadSample(packet.payload),
          reason: 'not-authorized',
          receivedAt: this.now(),
          clientId: client.id,
          detail: `MQTT user "${name}" may not publish for ${target} (${packet.payload.length} bytes; a sample is kept)`,
          // Filed (and counted by the data-quality rules) under the publisher, never under the enterprise it aimed at.
          ...(account?.enterprise !== undefined && { enterprise: account.enterprise }),
        });
        callback(new Error('not authorized'));
      },
      authorizeSubscribe: (client, sub, callback) => {
        const account = this.accountOf.get(client);
        // The service reads the meters' topics only (not `#`, not $SYS); gateways only their own enterprise's.
        if (account?.role === 'service' || (account === undefined && anonymousAllowed)) {
          return isMeterFilter(sub.topic) ? callback(null, sub) : callback(new Error('not authorized'), null);
        }
        const prefix = `energy/${account?.enterprise ?? ''}`;
        if (account?.enterprise !== undefined && (sub.topic === prefix || sub.topic.startsWith(`${prefix}/`))) return callback(null, sub);
        callback(new Error('not authorized'), null);
      },
    });
    this.aedes.on('client', (client) => {
      const name = this.accountOf.get(client)?.username ?? '(anonymous)';
      let open = this.connectionsOf.get(name);
      if (!open) this.connectionsOf.set(name, (open = new Set()));
      open.add(client);
      this.ownerOf.delete(client.id);
      this.ownerOf.set(client.id, name);
      if (this.ownerOf.size > MAX_REMEMBERED_CLIENT_IDS) this.ownerOf.delete(this.ownerOf.keys().next().value!);
    });
    this.aedes.on('clientDisconnect', (client) => {
      const name = this.accountOf.get(client)?.username ?? '(anonymous)';
      this.connectionsOf.get(name)?.delete(client);
    });
  }

  /** Why `account` may not connect as `client` now, if it may not. */
  private connectProblem(client: Client, account: Account | undefined): { returnCode: number; message: string } | undefined {
    const isService = account?.role === 'service';
    const reserved = client.id.startsWith(SERVICE_CLIENT_ID_PREFIX) || (this.options.reservedClientIds ?? []).includes(client.id);
    if (reserved && !isService) return { returnCode: IDENTIFIER_REJECTED, message: `client id "${client.id}" is reserved to the service` };
    const name = account?.username ?? '(anonymous)';
    const owner = this.ownerOf.get(client.id);
    if (owner !== undefined && owner !== name) {
      return { returnCode: IDENTIFIER_REJECTED, message: `client id "${client.id}" belongs to another account` };
    }
    const open = [...(this.connectionsOf.get(name) ?? [])].filter((c) => !c.closed && c.id !== client.id).length;
    const limit = this.options.maxConnectionsPerAccount ?? DEFAULT_MAX_CONNECTIONS_PER_ACCOUNT;
    if (!isService && open >= limit)
      return { returnCode: SERVER_UNAVAILABLE, message: `MQTT user "${name}" already has ${open} connections (limit ${limit})` };
    return undefined;
  }

  get port(): number {
    return this.boundPort;
  }

  /** The address it listens on (MQTT_HOST; loopback unless set). */
  get address(): string | undefined {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.address : undefined;
  }

  get healthy(): boolean {
    return this.server?.listening === true && (this.options.tls === undefined || this.tlsServer?.listening === true) && !this.aedes.closed;
  }

  async start(): Promise<void> {
    const server = net.createServer((socket) => this.handle(socket));
    await listen(server, this.options.port, this.options.host);
    this.server = server;
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : this.options.port;
    if (this.options.tls) {
      const { cert, key, port } = this.options.tls;
      const secure = tls.createServer({ cert, key }, (socket) => this.handle(socket));
      await listen(secure, port, this.options.host);
      this.tlsServer = secure;
    }
    this.deps.logger.info({ port: this.boundPort, tlsPort: this.options.tls?.port }, 'embedded MQTT broker listening');
  }

  async stop(): Promise<void> {
    this.refusals.flush();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.tlsServer ? this.tlsServer.close(() => resolve()) : resolve()));
    this.server = undefined;
    this.tlsServer = undefined;
    // The summaries flushed above (and any late refusal) are written before the store may close.
    await Promise.all([...this.refusalWrites]);
  }

  /** Records a refusal without holding up aedes; a failed write is logged (never an unhandled rejection). */
  private recordRefusal(item: QuarantineInput): void {
    const write = this.deps
      .onRefused(item)
      .catch((err: unknown) =>
        this.deps.logger.error({ err: err instanceof Error ? err.message : String(err), topic: item.topic }, 'refused publish not recorded'),
      )
      .finally(() => this.refusalWrites.delete(write));
    this.refusalWrites.add(write);
  }

  /** Every connection goes through the packet-size check before aedes reads it. */
  private handle(socket: Duplex & { remoteAddress?: string }): void {
    const maxBytes = this.options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
    const address = socket.remoteAddress;
    this.aedes.handle(
      guardPacketSize(socket, maxBytes, (err) => {
        this.oversizedPackets++;
        this.deps.logger.warn({ remoteAddress: address, err: err.message }, 'MQTT connection closed: packet over the size limit');
      }),
    );
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }
}

/** `energy/#`, `energy/...` and their MQTT 5 shared forms `$share/<group>/energy/...`. */
function isMeterFilter(filter: string): boolean {
  const plain = filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter;
  return plain === 'energy/#' || plain.startsWith('energy/');
}
