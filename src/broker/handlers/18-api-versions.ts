/**
 * ApiVersions (18), v0-3. Advertises exactly the ranges the registered handlers implement.
 * Errors: INVALID_REQUEST (v3+ client software name/version not matching Kafka's pattern).
 * An unsupported version is answered by the router with a v0 body and UNSUPPORTED_VERSION.
 */
import { ApiVersions } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';

const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export default defineHandler({
  api: ApiVersions,
  minVersion: 0,
  maxVersion: 3,
  handle(req, ctx) {
    const apiKeys = ctx.advertisedApis.map((a) => ({ ...a }));
    if (ctx.apiVersion >= 3 && (!SOFTWARE.test(req.clientSoftwareName ?? '') || !SOFTWARE.test(req.clientSoftwareVersion ?? ''))) {
      return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys, throttleTimeMs: 0 };
    }
    return { errorCode: 0, apiKeys, throttleTimeMs: 0 };
  },
});
