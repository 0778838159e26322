import { describe, expect, it } from 'vitest';
import { authorityOf, resolveAddresses } from '../../src/load/addresses.js';

describe('resolveAddresses', () => {
  it('keeps an address literal as it is', async () => {
    expect(await resolveAddresses('127.0.0.1', false)).toEqual(['127.0.0.1']);
    expect(await resolveAddresses('::1', false)).toEqual(['::1']);
  });

  it('resolves a name to all its addresses, loopback ones allowed without opting in', async () => {
    const addresses = await resolveAddresses('localhost', false);
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.every((a) => a === '::1' || a.startsWith('127.'))).toBe(true);
  });
});

describe('authorityOf', () => {
  it('brackets IPv6 literals, as a Host header needs', () => {
    expect(authorityOf('::1', 8080)).toBe('[::1]:8080');
    expect(authorityOf('127.0.0.1', 80)).toBe('127.0.0.1:80');
  });
});
