import type { Readable } from 'node:stream';
import { Client } from 'minio';
import { assertSafeKey, type Storage } from './types.js';

/** S3's smallest part is 5 MiB (but the last). */
const PART_BYTES = 8 * 1024 * 1024;

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

  /**
   * A stream of unknown length, holding one part in memory at a time: the minio client's own
   * putObject would buffer up to ~550 MB per part for an unknown size. A failed stream aborts
   * the multipart upload, so no parts are left behind.
   */
  async function putStream(key: string, body: Readable, contentType: string): Promise<void> {
    let part: Buffer[] = [];
    let size = 0;
    let uploadId: string | undefined;
    const etags: Array<{ part: number; etag: string }> = [];
    const flush = async () => {
      uploadId ??= await client.initiateNewMultipartUpload(opts.bucket, key, { 'Content-Type': contentType });
      const partNumber = etags.length + 1;
      const sent = await client.uploadPart({ bucketName: opts.bucket, objectName: key, uploadID: uploadId, partNumber, headers: {} }, Buffer.concat(part, size));
      etags.push({ part: partNumber, etag: sent.etag });
      part = [];
      size = 0;
    };
    try {
      for await (const chunk of body) {
        part.push(chunk as Buffer);
        size += (chunk as Buffer).length;
        if (size >= PART_BYTES) await flush();
      }
      if (!uploadId) {
        await client.putObject(opts.bucket, key, Buffer.concat(part, size), size, { 'Content-Type': contentType });
        return;
      }
      if (size) await flush();
      await client.completeMultipartUpload(opts.bucket, key, uploadId, etags);
    } catch (err) {
      if (uploadId) await client.abortMultipartUpload(opts.bucket, key, uploadId).catch(() => undefined);
      throw err;
    }
  }
  return {
    kind: 's3',
    async put(key, body: Buffer | Readable, contentType) {
      assertSafeKey(key);
      if (Buffer.isBuffer(body)) await client.putObject(opts.bucket, key, body, body.length, { 'Content-Type': contentType });
      else await putStream(key, body, contentType);
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
    async *list(prefix) {
      for await (const item of client.listObjectsV2(opts.bucket, prefix, true)) {
        if (item.name) yield { key: item.name, modifiedAt: item.lastModified };
      }
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
