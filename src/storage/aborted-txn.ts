/**
 * One entry of the aborted-transaction index (Kafka's .txnindex): a transaction of `producerId`
 * that began at `firstOffset` and was aborted by the marker at `lastOffset`; `lastStableOffset`
 * is the partition's last stable offset once the marker was written.
 */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}
