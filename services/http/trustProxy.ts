/**
 * TRUST_PROXY as Express's `trust proxy` setting. Behind a TLS-terminating proxy the service sees
 * plain HTTP from the proxy; with the proxy trusted, `req.secure` follows its X-Forwarded-Proto
 * (session cookie `Secure`, HSTS) and `req.ip` its X-Forwarded-For (rate limit per client). Unset,
 * no forwarded header is believed: a client cannot claim HTTPS or another address by sending them.
 *
 * Values: a hop count (`1`: the nearest proxy), `true`/`false`, or what Express accepts as a list
 * of addresses and subnets (`127.0.0.1`, `10.0.0.0/8, fd00::/8`, `loopback`, `uniquelocal` ...).
 */
import type { Express } from 'express';
import { ConfigError } from '../../config/load';
import { errorMessage } from '../core/errors';

export type TrustProxy = boolean | number | string;

export function trustProxySetting(text: string | undefined): TrustProxy {
  const value = text?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** Sets `trust proxy`; an address Express cannot parse stops start-up with the variable named. */
export function applyTrustProxy(app: Express, text: string | undefined): void {
  try {
    app.set('trust proxy', trustProxySetting(text));
  } catch (err) {
    throw new ConfigError('(environment)', [
      { path: 'TRUST_PROXY', message: `expected a hop count, true/false, or addresses and subnets: ${errorMessage(err)}` },
    ]);
  }
}
