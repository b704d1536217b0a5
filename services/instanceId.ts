/**
 * The ingest client's MQTT id, unique per instance. Two instances with one fixed id on one broker
 * take each other's session in turn, and a fixed, guessable id invites a gateway to take it (the
 * embedded broker and the shipped Mosquitto layout refuse that, README "Security"). The id must
 * also stay the same across restarts and upgrades, or the broker's persistent session (what it
 * queued while the service was away) is left behind: so it is made once and kept in DATA_DIR,
 * which holds the instance's journal too.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Connections } from '../config/load';

export const INSTANCE_ID_FILE = 'instance-id';
/** The id before ids were per instance: kept by a DATA_DIR that already has state, so its broker session carries on. */
export const LEGACY_CLIENT_ID = 'energy-monitor-ingest';

/** The base client id of the instance owning `dataDir`, created on first use. */
export function instanceClientId(dataDir: string): string {
  const file = path.join(dataDir, INSTANCE_ID_FILE);
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{1,64}$/.test(id)) return id;
    throw new Error(`${file}: expected one MQTT client id ([A-Za-z0-9_-], at most 64 characters), got ${JSON.stringify(id.slice(0, 80))}`);
  }
  const upgraded = existsSync(path.join(dataDir, 'state.db'));
  const id = upgraded ? LEGACY_CLIENT_ID : `${LEGACY_CLIENT_ID}-${randomBytes(4).toString('hex')}`;
  mkdirSync(dataDir, { recursive: true });
  // Written whole under another name, then linked in place: a process starting beside this one (a
  // shard of the same DATA_DIR) sees no file or a complete one, and the first to link wins.
  const draft = `${file}.${process.pid}.tmp`;
  writeFileSync(draft, `${id}\n`);
  try {
    linkSync(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return instanceClientId(dataDir);
  } finally {
    rmSync(draft, { force: true });
  }
  return id;
}

/** `connections` with the default client id replaced by this instance's (a shard keeps its suffix). */
export function withInstanceClientId(connections: Connections): Connections {
  if (connections.mqttClientIdExplicit === true) return connections;
  const base = instanceClientId(connections.dataDir);
  return { ...connections, mqttClientId: connections.mqttClientId.replace(LEGACY_CLIENT_ID, base) };
}
