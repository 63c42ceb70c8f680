import { describe, expect, it } from 'vitest';
import { ScramClient, ScramError } from '../../../src/client/security/scram-client.js';

// RFC 7677 section 3: user "user", password "pencil".
const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

describe('SCRAM client', () => {
  it('matches the RFC 7677 SCRAM-SHA-256 test vector and verifies the server signature', () => {
    const c = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', CLIENT_NONCE);
    expect(c.first().toString()).toBe(`n,,n=user,r=${CLIENT_NONCE}`);
    expect(c.final(Buffer.from(SERVER_FIRST)).toString()).toBe(CLIENT_FINAL);
    expect(() => c.verify(Buffer.from(SERVER_FINAL))).not.toThrow();
  });

  it('rejects a wrong server signature (a broker that does not know the password)', () => {
    const c = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', CLIENT_NONCE);
    c.final(Buffer.from(SERVER_FIRST));
    expect(() => c.verify(Buffer.from('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='))).toThrow(/server signature is wrong/);
    const d = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', CLIENT_NONCE);
    d.final(Buffer.from(SERVER_FIRST));
    expect(() => d.verify(Buffer.from('e=invalid-proof'))).toThrow('the broker refused the SCRAM exchange: invalid-proof');
  });

  it('a wrong password gives a different proof', () => {
    const c = new ScramClient('SCRAM-SHA-256', 'user', 'pencil2', CLIENT_NONCE);
    expect(c.final(Buffer.from(SERVER_FIRST)).toString()).not.toBe(CLIENT_FINAL);
  });

  it('checks the server nonce, the iteration count and the message shape', () => {
    const c = () => new ScramClient('SCRAM-SHA-512', 'user', 'pencil', CLIENT_NONCE);
    expect(() => c().final(Buffer.from('r=somethingelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'))).toThrow(/nonce does not extend/);
    expect(() => c().final(Buffer.from(`r=${CLIENT_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`))).toThrow(/nonce does not extend/);
    expect(() => c().final(Buffer.from(`r=${CLIENT_NONCE}xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000`))).toThrow('the broker asked for 1000 SCRAM iterations (at least 4096 expected)');
    expect(() => c().final(Buffer.from(`r=${CLIENT_NONCE}xyz,i=4096`))).toThrow(/incomplete/);
    expect(() => c().final(Buffer.from('garbage'))).toThrow(ScramError);
    expect(() => c().verify(Buffer.from(SERVER_FINAL))).toThrow(/before server-first/);
  });

  it('escapes , and = in the user name (RFC 5802 saslname) and never puts the password in a message', () => {
    const c = new ScramClient('SCRAM-SHA-512', 'a,b=c', 'hunter2', CLIENT_NONCE);
    expect(c.first().toString()).toBe(`n,,n=a=2Cb=3Dc,r=${CLIENT_NONCE}`);
    expect(c.final(Buffer.from(`r=${CLIENT_NONCE}xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`)).toString()).not.toContain('hunter2');
  });
});
