/**
 * Request handling time per API (issue 17): a log-scale histogram per API key, from the decoded
 * request to the encoded response (Kafka's TotalTimeMs without the network: it includes a Fetch's
 * wait for data, acks=all's wait for the replicas and durable mode's fdatasync). Recording is an
 * array increment and one Math.log2; nothing is allocated per request. `server status --output
 * json` shows p50/p99/max per API since the daemon started.
 */

/** Sub-buckets per power of two: values are placed within about 9%. */
const SUB = 8;
/** 2^32 µs (71 minutes) and more share the last bucket. */
const BUCKETS = 32 * SUB + 2;

export interface ApiTiming {
  api: string;
  apiKey: number;
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface Entry {
  counts: Uint32Array;
  count: number;
  maxMs: number;
}

const bucketOf = (us: number): number => (us < 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log2(us) * SUB) + 1));
/** The upper bound of a bucket, in ms (a quantile reports the bucket's upper edge, capped by the max). */
const upperMs = (b: number): number => (b === 0 ? 0.001 : 2 ** (b / SUB) / 1000);

export class RequestMetrics {
  private readonly byKey = new Map<number, Entry>();

  record(apiKey: number, ms: number): void {
    let e = this.byKey.get(apiKey);
    if (!e) {
      e = { counts: new Uint32Array(BUCKETS), count: 0, maxMs: 0 };
      this.byKey.set(apiKey, e);
    }
    e.counts[bucketOf(ms * 1000)]!++;
    e.count++;
    if (ms > e.maxMs) e.maxMs = ms;
  }

  /** p50/p99/max per API seen so far, by API key. */
  snapshot(nameOf: (apiKey: number) => string): ApiTiming[] {
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return [...this.byKey.entries()]
      .sort(([a], [b]) => a - b)
      .map(([apiKey, e]) => ({
        api: nameOf(apiKey),
        apiKey,
        count: e.count,
        p50Ms: round(Math.min(e.maxMs, quantile(e, 0.5))),
        p99Ms: round(Math.min(e.maxMs, quantile(e, 0.99))),
        maxMs: round(e.maxMs),
      }));
  }
}

function quantile(e: Entry, q: number): number {
  const rank = Math.ceil(q * e.count);
  let seen = 0;
  for (let b = 0; b < BUCKETS; b++) {
    seen += e.counts[b]!;
    if (seen >= rank) return upperMs(b);
  }
  return e.maxMs;
}
