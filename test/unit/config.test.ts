import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { aiEnvShape } from '../../core/ai/config.js';
import { ConfigError, envSchema, loadConfig } from '../../core/config.js';
import { resolveSecrets } from '../../core/secrets.js';

describe('config', () => {
  it('runs on a laptop with no variables at all', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.database.url).toBeUndefined();
    expect(c.storage.kind).toBe('local');
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
  });

  it('reads a variable set to nothing (compose passes unset ones so) as unset, not as 0 or an empty list', () => {
    const names = [...Object.keys(envSchema.shape), ...Object.keys(aiEnvShape), 'WORKER_CONCURRENCY_AI'];
    const blank = Object.fromEntries(names.map((n) => [n, '']));
    expect(loadConfig(blank)).toEqual(loadConfig({}));
  });

  it('starts a managed Redis only off production, unless told', () => {
    expect(loadConfig({}).redis).toMatchObject({ autostart: true });
    expect(loadConfig({ NODE_ENV: 'production' }).redis).toMatchObject({ autostart: false });
    expect(loadConfig({ NODE_ENV: 'production', REDIS_AUTOSTART: 'true' }).redis).toMatchObject({ autostart: true });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://db/app', DATABASE_READ_URL: 'mysql://x' }, 'DATABASE_READ_URL'],
    [{ DATABASE_READ_URL: 'postgres://replica/app' }, 'DATABASE_READ_URL'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
    [{ ENCRYPTION_KEY: 'c2hvcnQ=' }, 'ENCRYPTION_KEY'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ S3_ENDPOINT: 'http://minio:9000' }, 'S3_ENDPOINT'],
  ])('names the bad variable in %j', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('keeps DATA_DIR to its owner (0700), new or found open', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const fresh = path.join(root, 'fresh');
    const open = path.join(root, 'open');
    fs.mkdirSync(open, { mode: 0o755 });
    fs.chmodSync(open, 0o755);
    for (const dir of [fresh, open]) {
      resolveSecrets(loadConfig({ DATA_DIR: dir }));
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    }
  });

  it('generates secrets once into DATA_DIR and reuses them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const first = resolveSecrets(loadConfig({ DATA_DIR: dir }));
    const second = resolveSecrets(loadConfig({ DATA_DIR: dir }));
    expect(Buffer.from(first.jwtSecret).equals(Buffer.from(second.jwtSecret))).toBe(true);
    expect(first.encryptionKey).toHaveLength(32);
    expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses production without real secrets', () => {
    expect(() => resolveSecrets(loadConfig({ NODE_ENV: 'production' }))).toThrow(/JWT_SECRET and ENCRYPTION_KEY/);
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(() => resolveSecrets(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'k'.repeat(40), ENCRYPTION_KEY: key }))).not.toThrow();
  });
  it('reads secrets from NAME_FILE (Docker secrets), refuses both forms at once and names an unreadable file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const jwtFile = path.join(dir, 'jwt');
    fs.writeFileSync(jwtFile, `${'k'.repeat(40)}\n`);
    const keyFile = path.join(dir, 'key');
    fs.writeFileSync(keyFile, Buffer.alloc(32, 7).toString('base64'));
    const secrets = resolveSecrets(loadConfig({ NODE_ENV: 'production', JWT_SECRET_FILE: jwtFile, ENCRYPTION_KEY_FILE: keyFile, DATA_DIR: dir }));
    expect(new TextDecoder().decode(secrets.jwtSecret)).toBe('k'.repeat(40));
    expect(secrets.encryptionKey.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'secrets.json'))).toBe(false);

    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(40), JWT_SECRET_FILE: jwtFile })).toThrow('JWT_SECRET and JWT_SECRET_FILE are both set');
    expect(() => loadConfig({ STRIPE_SECRET_KEY_FILE: path.join(dir, 'missing') })).toThrow(/STRIPE_SECRET_KEY_FILE: cannot read .* \(ENOENT\)/);
    fs.writeFileSync(jwtFile, 'short');
    expect(() => loadConfig({ JWT_SECRET_FILE: jwtFile })).toThrow('JWT_SECRET');
  });
});
