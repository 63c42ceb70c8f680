/**
 * The registry's error bodies become errors of the one family by Confluent's error code: a bad
 * request is a usage error (exit 2), a refused valid request a failure (1), an incompatible
 * schema `incompatible` (12), a missing subject, version or id `not_found` (4).
 */
import { describe, expect, it } from 'vitest';
import { registryError } from '../../../src/client/schema-registry.js';

const kind = (status: number, code?: number) => registryError(status, code, 'm', 'http://r').kind;

describe('registryError', () => {
  it('maps invalid input to usage and refusals of valid requests to failed', () => {
    for (const code of [42201, 42202, 42203, 42204, 42208, 42209, 42210]) expect(kind(422, code), String(code)).toBe('usage');
    for (const code of [42205, 42206, 42207, 42211]) expect(kind(422, code), String(code)).toBe('failed');
    expect(kind(400)).toBe('usage');
    expect(kind(415)).toBe('usage');
  });

  it('maps incompatible schemas, not found and server errors', () => {
    expect(kind(409, 409)).toBe('incompatible');
    expect(kind(409, 40901)).toBe('incompatible');
    expect(kind(409, 40903)).toBe('failed');
    for (const code of [40401, 40402, 40403, 40408]) expect(kind(404, code)).toBe('not_found');
    expect(kind(500, 50001)).toBe('failed');
  });
});
