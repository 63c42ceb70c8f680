/**
 * Client quota enforcement on one broker, as Kafka's ClientQuotaManager (produce, fetch) and
 * ClientRequestQuotaManager (request) do it with the default quota callback.
 *
 * Each quota type is resolved on its own for a request's (user, client id), the first entity
 * that sets it winning, in Kafka's order:
 *   /config/users/<user>/clients/<client-id>, /config/users/<user>/clients/<default>,
 *   /config/users/<user>, /config/users/<default>/clients/<client-id>,
 *   /config/users/<default>/clients/<default>, /config/users/<default>,
 *   /config/clients/<client-id>, /config/clients/<default>.
 * The entity found decides who shares a sensor (Kafka's metric tags): a user's own quota is shared
 * by all that user's client ids, a client id's by all users, a default one applies to each user
 * or client id separately.
 *
 * Sensors are RateSensors (11 windows of 1 s); the throttle time is Kafka's. Request time is
 * recorded as a percentage of one thread (ms × 0.1 per second of a 100% thread), its throttle at
 * most one window (1 s). With no quota configured nothing is recorded: `active` is false and the
 * router skips this class altogether.
 *
 * connection_creation_rate of an ip (or the default ip): each accepted TCP connection from that
 * address is recorded; one over the rate is not counted, held unanswered for the throttle time
 * and closed, as Kafka's ConnectionQuotas does (the transport asks through connectionThrottle).
 */
import { quotaEntityKey as key, type ClusterMetadata, type QuotaEntity } from '../metadata/cluster-metadata.js';
import { RateSensor } from './sensor.js';

/** Kafka's entity types (as in ./admin.ts, which imports the handler types this module must not). */
const USER = 'user';
const CLIENT_ID = 'client-id';

export type QuotaType = 'producer_byte_rate' | 'consumer_byte_rate' | 'request_percentage';
const TYPES: QuotaType[] = ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage'];

/** Kafka's defaults: quota.window.num and quota.window.size.seconds. */
export const QUOTA_WINDOW_NUM = 11;
export const QUOTA_WINDOW_SIZE_MS = 1000;
/** Sensors idle this long are dropped (Kafka expires quota sensors after an hour). */
const SENSOR_IDLE_MS = 60 * 60 * 1000;

interface Resolved {
  /** The sensor's key (quota type, user tag, client tag). */
  key: string;
  bound: number;
}

export interface QuotaService {
  /** Whether any user or client-id quota is configured (else nothing is recorded). */
  readonly active: boolean;
  recordProduce(principal: string, clientId: string | null, bytes: number, nowMs: number): number;
  recordFetch(principal: string, clientId: string | null, bytes: number, nowMs: number): number;
  unrecordFetch(principal: string, clientId: string | null, bytes: number, nowMs: number): void;
  recordRequestTime(principal: string, clientId: string | null, ms: number, nowMs: number): number;
  /** ms to hold a new connection from `ip` before closing it (its connection_creation_rate exceeded), else 0. */
  connectionThrottle(ip: string, nowMs: number): number;
  /** The most a fetch may return at once: the bound × (samples − 1) windows (Kafka's getMaxValueInQuotaWindow); Infinity without a consumer quota. */
  maxFetchBytes(principal: string, clientId: string | null): number;
}

/** The user a principal names for quotas (`User:alice` → alice). */
const userOf = (principal: string) => (principal.startsWith('User:') ? principal.slice(5) : principal);

export class ClientQuotaManager implements QuotaService {
  active = false;
  /** Entity key → values, for the user and client-id entities. */
  private overrides = new Map<string, Readonly<Record<string, number>>>();
  /** Resolutions by type, user and client id (cleared on every quota change). */
  private resolved = new Map<string, Resolved | null>();
  private readonly sensors = new Map<string, RateSensor>();
  private lastSweep = 0;
  /** connection_creation_rate by ip ('' for the default ip entity). */
  private ipRates = new Map<string, number>();
  private readonly ipSensors = new Map<string, RateSensor>();

  constructor(private readonly metadata: Pick<ClusterMetadata, 'clientQuotas' | 'onChange'>) {
    this.reload();
    metadata.onChange((e) => {
      if (e.type === 'quotas-changed') this.reload();
    });
  }

  private reload(): void {
    this.overrides.clear();
    this.resolved.clear();
    this.ipRates.clear();
    for (const q of this.metadata.clientQuotas()) {
      const rate = q.values.connection_creation_rate;
      if ('ip' in q.entity && rate !== undefined) this.ipRates.set(q.entity.ip ?? '', rate);
      if (!(USER in q.entity) && !(CLIENT_ID in q.entity)) continue;
      if (TYPES.some((t) => t in q.values)) this.overrides.set(key(q.entity), q.values);
    }
    this.active = this.overrides.size > 0;
  }

  private resolve(type: QuotaType, user: string, clientId: string): Resolved | null {
    const cacheKey = `${type}\u0000${user}\u0000${clientId}`;
    const hit = this.resolved.get(cacheKey);
    if (hit !== undefined) return hit;
    // Kafka's precedence: each candidate entity with the tags its sensor gets.
    const candidates: [QuotaEntity, string, string][] = [
      [{ [USER]: user, [CLIENT_ID]: clientId }, user, clientId],
      [{ [USER]: user, [CLIENT_ID]: null }, user, clientId],
      [{ [USER]: user }, user, ''],
      [{ [USER]: null, [CLIENT_ID]: clientId }, user, clientId],
      [{ [USER]: null, [CLIENT_ID]: null }, user, clientId],
      [{ [USER]: null }, user, ''],
      [{ [CLIENT_ID]: clientId }, '', clientId],
      [{ [CLIENT_ID]: null }, '', clientId],
    ];
    let out: Resolved | null = null;
    for (const [entity, userTag, clientTag] of candidates) {
      const bound = this.overrides.get(key(entity))?.[type];
      if (bound !== undefined) {
        out = { key: `${type}\u0000${userTag}\u0000${clientTag}`, bound };
        break;
      }
    }
    if (this.resolved.size > 100_000) this.resolved.clear();
    this.resolved.set(cacheKey, out);
    return out;
  }

  private record(type: QuotaType, principal: string, clientId: string | null, value: number, nowMs: number, maxMs = Infinity): number {
    const r = this.resolve(type, userOf(principal), clientId ?? '');
    if (!r) return 0;
    let s = this.sensors.get(r.key);
    if (!s) this.sensors.set(r.key, (s = new RateSensor(QUOTA_WINDOW_NUM, QUOTA_WINDOW_SIZE_MS)));
    this.sweep(nowMs);
    return s.recordAndThrottle(value, r.bound, nowMs, maxMs);
  }

  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweep < 60_000) return;
    this.lastSweep = nowMs;
    for (const [k, s] of this.sensors) if (nowMs - s.lastRecordMs > SENSOR_IDLE_MS) this.sensors.delete(k);
  }

  recordProduce(principal: string, clientId: string | null, bytes: number, nowMs: number): number {
    return this.record('producer_byte_rate', principal, clientId, bytes, nowMs);
  }

  recordFetch(principal: string, clientId: string | null, bytes: number, nowMs: number): number {
    return this.record('consumer_byte_rate', principal, clientId, bytes, nowMs);
  }

  unrecordFetch(principal: string, clientId: string | null, bytes: number, nowMs: number): void {
    const r = this.resolve('consumer_byte_rate', userOf(principal), clientId ?? '');
    if (r) this.sensors.get(r.key)?.record(-bytes, nowMs);
  }

  recordRequestTime(principal: string, clientId: string | null, ms: number, nowMs: number): number {
    return this.record('request_percentage', principal, clientId, ms * 0.1, nowMs, QUOTA_WINDOW_SIZE_MS);
  }

  connectionThrottle(ip: string, nowMs: number): number {
    if (this.ipRates.size === 0) return 0;
    const bound = this.ipRates.get(ip) ?? this.ipRates.get('');
    if (bound === undefined) return 0;
    let s = this.ipSensors.get(ip);
    if (!s) this.ipSensors.set(ip, (s = new RateSensor(QUOTA_WINDOW_NUM, QUOTA_WINDOW_SIZE_MS)));
    const ms = s.recordAndThrottle(1, bound, nowMs);
    // Kafka counts only the connections it accepts.
    if (ms > 0) s.record(-1, nowMs);
    return ms;
  }

  maxFetchBytes(principal: string, clientId: string | null): number {
    const r = this.resolve('consumer_byte_rate', userOf(principal), clientId ?? '');
    return r ? r.bound * (QUOTA_WINDOW_NUM - 1) * (QUOTA_WINDOW_SIZE_MS / 1000) : Infinity;
  }
}
