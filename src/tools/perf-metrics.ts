/**
 * The perf tools' --print-metrics table in Kafka's layout (ToolsUtils.printMetrics): a blank line,
 * "Metric Name" padded to the longest name, three spaces and "Value", then one
 * "group:name:{tags} : value" line per metric sorted by that name as Java's TreeMap sorts strings
 * (UTF-16 code units, not the locale), values as %.3f. kafka-ts's clients keep no metrics
 * registry: the tools pass only the figures they really measure, under Kafka's names.
 */
import { javaFixed } from '../util/latency.js';

export interface Metric {
  group: string;
  name: string;
  /** In Kafka's order (client-id first); printed as Java's Map.toString, {k=v, k2=v2}. */
  tags: [string, string][];
  value: number;
}

const tagsText = (tags: [string, string][]) => `{${tags.map(([k, v]) => `${k}=${v}`).join(', ')}}`;

export function metricsTable(metrics: readonly Metric[]): string[] {
  const rows = metrics.map((m) => [`${m.group}:${m.name}:${tagsText(m.tags)}`, javaFixed(m.value, 3)] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const w = Math.max('Metric Name'.length, ...rows.map(([n]) => n.length));
  return ['', `${'Metric Name'.padEnd(w)}   Value`, ...rows.map(([n, v]) => `${n.padEnd(w)} : ${v}`)];
}
