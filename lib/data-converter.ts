import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './payload-codec';
import { loadPayloadKeys } from './payload-keys';

/**
 * The one data converter of the API (client) and the worker: default JSON payloads,
 * encrypted by the payload codec. Both must use it, or one side cannot read the other.
 */
export interface PayloadCodecSettings {
  LOCKDOWN_PAYLOAD_KEYS?: string;
  LOCKDOWN_PAYLOAD_KEYS_FILE?: string;
}

export function createPayloadCodec(settings: PayloadCodecSettings): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(loadPayloadKeys(settings));
}

export function createDataConverter(settings: PayloadCodecSettings): DataConverter {
  return { payloadCodecs: [createPayloadCodec(settings)] };
}
