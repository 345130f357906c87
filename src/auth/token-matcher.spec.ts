import type { TokenConfig } from '../config/app-config';
import { bearerToken, matchToken } from './token-matcher';

const token = (name: string, value: string): TokenConfig => ({ name, token: value, scopes: ['read'] }) as TokenConfig;

describe('matchToken', () => {
  const tokens = [token('ci', 'ci-secret'), token('admin', 'admin-secret')];

  it('finds the configured token equal to the presented one, and only that', () => {
    expect(matchToken(tokens, 'admin-secret')?.name).toBe('admin');
    expect(matchToken(tokens, 'ci-secret')?.name).toBe('ci');
    expect(matchToken(tokens, 'admin-secre')).toBeNull();
    expect(matchToken(tokens, '')).toBeNull();
    expect(matchToken([], 'ci-secret')).toBeNull();
  });

  it('answers the same on every call (the configured digests are kept per token list)', () => {
    for (let i = 0; i < 3; i++) expect(matchToken(tokens, 'ci-secret')?.name).toBe('ci');
  });

  it('a reloaded token list is used at once: a rotated token stops matching, the new one matches', () => {
    expect(matchToken(tokens, 'ci-secret')?.name).toBe('ci');
    const rotated = [token('ci', 'ci-secret-2'), tokens[1]];
    expect(matchToken(rotated, 'ci-secret')).toBeNull();
    expect(matchToken(rotated, 'ci-secret-2')?.name).toBe('ci');
  });
});

describe('bearerToken', () => {
  it('reads a Bearer header, null when absent, undefined when malformed', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Basic abc')).toBeUndefined();
  });
});
