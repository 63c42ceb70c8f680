/**
 * The client configuration catalogues, per surface, for validation (src/cli/properties.ts) and
 * docs: `CLIENT_CATALOGUES` (surface → Catalogue) and `describeCatalogue` from the engine turn
 * them into rows (name, type, default, doc, support, note, valid values).
 */
import type { Catalogue } from '../../util/config-catalogue.js';
import { ADMIN_CATALOGUE } from './admin.js';
import { CONSUMER_CATALOGUE } from './consumer.js';
import { PRODUCER_CATALOGUE } from './producer.js';

export type ClientSurface = 'producer' | 'consumer' | 'admin';

export const CLIENT_CATALOGUES: Readonly<Record<ClientSurface, Catalogue>> = {
  producer: PRODUCER_CATALOGUE,
  consumer: CONSUMER_CATALOGUE,
  admin: ADMIN_CATALOGUE,
};

export { ADMIN_CATALOGUE, CONSUMER_CATALOGUE, PRODUCER_CATALOGUE };
export { isConfigProviderKey } from './common.js';
