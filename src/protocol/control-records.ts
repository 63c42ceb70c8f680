/**
 * Control records (KIP-98): the one record of a transaction marker batch. Key: version int16 (0)
 * and type int16 (0 ABORT, 1 COMMIT); value of an end-transaction marker: version int16 (0) and
 * coordinator epoch int32. The batch is a control batch (isControl | isTransactional) carrying the
 * producer's id and epoch and no sequence.
 */
import { encodeBatch } from './record-batch.js';

export const enum ControlType {
  Abort = 0,
  Commit = 1,
}

export interface EndTxnMarker {
  type: ControlType;
  coordinatorEpoch: number;
}

/** The control type a control record's key names, or null when the key is not one. */
export function controlTypeOf(key: Buffer | null): number | null {
  return key && key.length >= 4 ? key.readInt16BE(2) : null;
}

/** Decodes an end-transaction marker record; null when it is not one (e.g. a future control type). */
export function decodeEndTxnMarker(key: Buffer | null, value: Buffer | null): EndTxnMarker | null {
  const type = controlTypeOf(key);
  if (type !== ControlType.Abort && type !== ControlType.Commit) return null;
  return { type, coordinatorEpoch: value && value.length >= 6 ? value.readInt32BE(2) : -1 };
}

/** A marker batch as the coordinator's WriteTxnMarkers makes the leader write it. */
export function encodeEndTxnMarkerBatch(producerId: number, producerEpoch: number, marker: EndTxnMarker, now = Date.now()): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(marker.type, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(marker.coordinatorEpoch, 2);
  return encodeBatch([{ key, value, timestamp: now }], { producerId, producerEpoch, baseSequence: -1, transactional: true, control: true, now });
}
