/** The admin client's configuration catalogue (Kafka 3.x/4.x AdminClientConfig). */
import { defineCatalogue } from '../../util/config-catalogue.js';
import { COMMON_CLIENT_CONFIGS } from './common.js';
import { INT_MAX, noEffect, supported } from './entry.js';

export const ADMIN_CATALOGUE = defineCatalogue('admin', COMMON_CLIENT_CONFIGS, [
  { ...COMMON_CLIENT_CONFIGS.find((e) => e.name === 'connections.max.idle.ms')!, default: 300000 },
  supported('default.api.timeout.ms', 'int', 60000, 'the bound on an admin call\'s retries (and kafka-ts\'s connect timeout); unlike Kafka\'s admin client, one request is bounded by request.timeout.ms alone', { min: 0, unit: 'ms' }),
  noEffect('retries', 'int', INT_MAX, 'how often a failed admin request is retried', 'admin calls retry retriable errors until default.api.timeout.ms', { min: 0 }),
]);
