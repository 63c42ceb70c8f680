/**
 * Protobuf input checked as protobuf's JsonFormat checks it (protobufjs's fromObject truncates,
 * wraps or drops what does not fit): each scalar type's range and kind, 64-bit integers past 2^53
 * only as strings, enums, bytes, map keys, a field or oneof given twice; and 64-bit integers
 * printed exactly.
 */
import { describe, expect, it } from 'vitest';
import type { RegisteredSchema } from '../../../../src/client/schema-registry.js';
import { buildCodec, type Codec } from '../../../../src/tools/schema-formats/codecs.js';
import { frame } from '../../../../src/tools/schema-formats/wire.js';

const noRefs = () => Promise.reject(new Error('no references expected'));
const proto = (text: string, id = 3): RegisteredSchema => ({ id, schema: text, schemaType: 'PROTOBUF', references: [] });

describe('Protobuf scalars as JsonFormat checks them', () => {
  const TEXT = `syntax = "proto3";
message Item { string sku = 1; int32 n = 2; }
message Order { int64 id = 1; repeated Item items = 2; map<string, string> tags = 3; oneof pay { string card = 4; bool cash = 5; } }
message All {
  int32 i32 = 1; sint32 s32 = 2; sfixed32 sf32 = 3; uint32 u32 = 4; fixed32 f32 = 5;
  int64 i64 = 6; sint64 s64 = 7; sfixed64 sf64 = 8; uint64 u64 = 9; fixed64 f64 = 10;
  float fl = 11; double db = 12; bool b = 13; string s = 14; bytes raw = 15;
  enum Kind { A = 0; B = 1; } Kind kind = 16;
  map<int32, string> byInt = 17; map<bool, string> byBool = 18; map<uint64, string> byU64 = 19;
  optional string maybe = 20; string user_name = 21;
}
`;
  const order = () => buildCodec(proto(TEXT), noRefs, { message: 'Order' });
  const all = () => buildCodec(proto(TEXT), noRefs, { message: 'All' });
  const roundTrip = (c: Codec, json: string) => JSON.parse(c.decode(frame(3, c.encode(json).payload, c.encode(json).indexes), 5).toString()) as unknown;

  it("the trial's Order: an int32 out of range, both members of a oneof, an int64 past 2^53 as a number are refused", async () => {
    const c = await order();
    expect(() => c.encode('{"items":[{"n":9999999999}]}')).toThrow('does not match Protobuf message Item: items[0].n: 9999999999 is out of range for int32 (-2147483648 to 2147483647)');
    expect(() => c.encode('{"card":"x","cash":true}')).toThrow('cash: card and cash are both members of oneof pay (give one)');
    expect(() => c.encode('{"id":9007199254740993}')).toThrow('id: 9007199254740993 is past 2^53, where a JSON number loses digits: give the int64 as a string ("9007199254740993")');
    expect(roundTrip(c, '{"id":"9007199254740993","card":"x","cash":null}')).toEqual({ id: '9007199254740993', card: 'x' });
    expect(roundTrip(c, '{"id":9007199254740991}')).toEqual({ id: '9007199254740991' });
  });

  it('each integer type: its range, no fractions, numbers or strings of digits', async () => {
    const c = await all();
    const cases: [string, string, string][] = [
      ['i32', '-2147483648', '2147483648'],
      ['s32', '2147483647', '-2147483649'],
      ['sf32', '-2147483648', '2147483648'],
      ['u32', '4294967295', '-1'],
      ['f32', '4294967295', '4294967296'],
      ['i64', '"-9223372036854775808"', '"9223372036854775808"'],
      ['s64', '"9223372036854775807"', '"-9223372036854775809"'],
      ['sf64', '"-9223372036854775808"', '9223372036854775808'],
      ['u64', '"18446744073709551615"', '"-1"'],
      ['f64', '"18446744073709551615"', '"18446744073709551616"'],
    ];
    for (const [field, ok, bad] of cases) {
      expect(roundTrip(c, `{"${field}":${ok}}`), field).toEqual({ [field]: field.endsWith('64') ? JSON.parse(ok) : Number(JSON.parse(ok)) });
      expect(() => c.encode(`{"${field}":${bad}}`), field).toThrow(`${field}: ${bad} is out of range for`);
      expect(() => c.encode(`{"${field}":1.5}`), field).toThrow(`${field} must be an integer`);
      expect(() => c.encode(`{"${field}":"1.5"}`), field).toThrow(`${field} must be an integer`);
      expect(() => c.encode(`{"${field}":true}`), field).toThrow(`${field} must be an integer`);
    }
    expect(roundTrip(c, '{"i32":"-7","u32":2.0,"i64":-12}')).toEqual({ i32: -7, u32: 2, i64: '-12' });
    expect(() => c.encode('{"u64":18446744073709551615}')).toThrow('give the uint64 as a string ("18446744073709551615")');
    expect(() => c.encode('{"i64":1e18}')).toThrow('give the int64 as a string ("1000000000000000000")');
  });

  it("an open (proto3) enum takes any int32 by number, as JsonFormat does; a closed (proto2) one only its own", async () => {
    const c = await all();
    expect(roundTrip(c, '{"kind":7}')).toEqual({ kind: 7 });
    expect(roundTrip(c, '{"kind":1}')).toEqual({ kind: 'B' });
    expect(() => c.encode('{"kind":2147483648}')).toThrow('kind: 2147483648 is not a value of enum Kind');
    expect(() => c.encode('{"kind":"C"}')).toThrow('kind: "C" is not a value of enum Kind');
    const closed = await buildCodec(proto('syntax = "proto2";\nmessage P { enum K { A = 0; B = 1; } optional K k = 1; }\n'), noRefs);
    expect(() => closed.encode('{"k":7}')).toThrow('k: 7 is not a value of enum K (A=0, B=1)');
    expect(JSON.parse(closed.decode(frame(3, closed.encode('{"k":1}').payload, [0]), 5).toString())).toEqual({ k: 'B' });
  });

  it('prints a float as JsonFormat does (0.1, not the widened 0.10000000149011612), in nested messages, lists and maps too', async () => {
    const text = `syntax = "proto3";
message Point { float x = 1; repeated float ys = 2; map<string, float> named = 3; Point next = 4; repeated Point more = 5; double d = 6; }
`;
    const c = await buildCodec(proto(text), noRefs);
    const json = '{"x":0.1,"ys":[0.3,1.5,3.4028235e+38,1e-45],"named":{"a":0.7},"next":{"x":2.2,"next":{"ys":[0.1]}},"more":[{"x":-0.1}],"d":0.1}';
    expect(c.decode(frame(3, c.encode(json).payload, c.encode(json).indexes), 5).toString()).toBe(json);
    expect(roundTrip(await all(), '{"fl":16777217}')).toEqual({ fl: 16777216 });
  });

  it('floats that would overflow, bools, strings, bytes and enums of the wrong kind are refused', async () => {
    const c = await all();
    expect(() => c.encode('{"fl":3.5e38}')).toThrow('fl: 3.5e+38 is out of range for float');
    expect(roundTrip(c, '{"fl":"-Infinity","db":1e300}')).toEqual({ fl: '-Infinity', db: 1e300 });
    expect(roundTrip(c, '{"db":12345678901234567890}')).toEqual({ db: 12345678901234567000 });
    expect(() => c.encode('{"db":"x"}')).toThrow('db must be a number (double), got "x"');
    expect(() => c.encode('{"b":1}')).toThrow('b must be true or false, got 1');
    expect(() => c.encode('{"s":5}')).toThrow('s must be a string, got 5');
    expect(() => c.encode('{"raw":"!!!!"}')).toThrow('raw must be base64 (bytes)');
    expect(() => c.encode('{"raw":"AQIDB"}')).toThrow('raw must be base64');
    expect(() => c.encode('{"raw":"AQ="}')).toThrow('raw must be base64');
    expect(roundTrip(c, '{"raw":"AQID"}')).toEqual({ raw: 'AQID' });
    expect(roundTrip(c, '{"raw":"_-8"}')).toEqual({ raw: '/+8=' });
    expect(() => c.encode('{"kind":"C"}')).toThrow('kind: "C" is not a value of enum Kind (A=0, B=1)');
    expect(() => c.encode('{"kind":1.5}')).toThrow('kind: 1.5 is not a value of enum Kind');
    expect(() => c.encode('{"kind":"1"}')).toThrow('is not a value of enum Kind');
    expect(roundTrip(c, '{"kind":1}')).toEqual({ kind: 'B' });
  });

  it("map keys of the map's key type; a field given twice (by both its names) is refused", async () => {
    const c = await all();
    expect(() => c.encode('{"byInt":{"x":"a"}}')).toThrow('byInt.x must be an integer (int32), got "x"');
    expect(() => c.encode('{"byInt":{"2147483648":"a"}}')).toThrow('byInt.2147483648: "2147483648" is out of range for int32');
    expect(() => c.encode('{"byBool":{"yes":"a"}}')).toThrow(`byBool.yes: the map's keys are bool`);
    expect(roundTrip(c, '{"byInt":{"-5":"a"},"byBool":{"true":"t"},"byU64":{"18446744073709551615":"m"}}')).toEqual({ byInt: { '-5': 'a' }, byBool: { true: 't' }, byU64: { '18446744073709551615': 'm' } });
    expect(() => c.encode('{"user_name":"a","userName":"b"}')).toThrow('userName: field user_name is given twice (as user_name and userName)');
    expect(roundTrip(c, '{"maybe":""}')).toEqual({ maybe: '' });
  });

  it('prints 64-bit integers written by another client exactly, as strings', async () => {
    const c = await all();
    const pb = (await import('protobufjs')).default;
    const t = pb.parse(TEXT, { keepCase: true }).root.lookupType('All');
    const bytes = t.encode(t.fromObject({ i64: '-9223372036854775808', u64: '18446744073709551615', f64: '18446744073709551615', s64: '9223372036854775807', sf64: '-1' })).finish();
    expect(JSON.parse(c.decode(frame(3, bytes, [2]), 5).toString())).toEqual({ i64: '-9223372036854775808', s64: '9223372036854775807', sf64: '-1', u64: '18446744073709551615', f64: '18446744073709551615' });
  });
});
