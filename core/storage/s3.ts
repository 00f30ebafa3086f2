import type { Readable } from 'node:stream';
import { Client } from 'minio';
import { assertSafeKey, type Storage } from './types.js';

export interface S3Options {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

/** MinIO or any S3-compatible server, through the official minio client. */
export function createS3Storage(opts: S3Options): Storage {
  const url = new URL(opts.endpoint);
  const client = new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    useSSL: url.protocol === 'https:',
    accessKey: opts.accessKey,
    secretKey: opts.secretKey,
    region: opts.region,
    pathStyle: true,
  });
  let ready: Promise<void> | undefined;
  return {
    kind: 's3',
    async put(key, body: Buffer | Readable, contentType) {
      assertSafeKey(key);
      await client.putObject(opts.bucket, key, body, undefined, { 'Content-Type': contentType });
    },
    async get(key) {
      assertSafeKey(key);
      return client.getObject(opts.bucket, key);
    },
    async delete(key) {
      assertSafeKey(key);
      await client.removeObject(opts.bucket, key);
    },
    async exists(key) {
      assertSafeKey(key);
      return client.statObject(opts.bucket, key).then(() => true, (err: { code?: string }) => {
        if (err.code === 'NotFound' || err.code === 'NoSuchKey') return false;
        throw err;
      });
    },
    check() {
      // Create the bucket once; later checks only look.
      ready ??= (async () => {
        if (!(await client.bucketExists(opts.bucket))) await client.makeBucket(opts.bucket, opts.region);
      })().catch((err) => {
        ready = undefined;
        throw err;
      });
      return ready.then(() => client.bucketExists(opts.bucket)).then(() => undefined);
    },
  };
}
