/**
 * The heap that committed offset metadata (the free-form string of OffsetCommit and
 * TxnOffsetCommit) may take across all the group coordinators of the daemon
 * (kafka-ts.offset.metadata.max.total.bytes). Kafka keeps every group's committed metadata in its
 * heap too, but a 1 GB+ one: at 4 KB per partition (offset.metadata.max.bytes), one group
 * committing 10,000 partitions holds 41 MB, and a few such groups ran the daemon's 256 MB heap
 * out. Only growth is refused: offsets loaded at start and commits that shrink or keep their
 * metadata always fit, so nothing stored is ever dropped by this.
 */
export class OffsetMetadataBudget {
  /** Bytes of metadata stored: committed offsets and transactions' pending ones. */
  private stored = 0;
  /** Bytes promised to accepted commits whose write to __consumer_offsets is under way. */
  private promised = 0;

  /** Stored plus promised bytes. */
  get used(): number {
    return this.stored + this.promised;
  }

  /** Stored metadata grew (or, negative, shrank) by `delta` bytes. */
  track(delta: number): void {
    this.stored += delta;
  }

  /**
   * Promises `growth` bytes to a commit if the total stays within `limit`; growth of 0 or less
   * always fits. The promise lasts until release(), called once the commit's write is over.
   */
  reserve(growth: number, limit: number): boolean {
    if (growth <= 0) return true;
    if (this.used + growth > limit) return false;
    this.promised += growth;
    return true;
  }

  release(bytes: number): void {
    this.promised -= bytes;
  }
}

/** Latin-1 strings take one heap byte per character in V8, others two. */
const WIDE = /[\u0100-\uffff]/;

/** What a metadata string costs in the heap, in bytes (null and '' cost nothing). */
export function metadataHeapBytes(metadata: string | null | undefined): number {
  if (!metadata) return 0;
  return WIDE.test(metadata) ? metadata.length * 2 : metadata.length;
}
