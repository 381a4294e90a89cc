import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AwsClient } from 'aws4fetch';
import type { S3Options } from '../../core/config.ts';
import { FilesError } from './errors.ts';
import { assertStorageKey, type FileStorage } from './storage.ts';

const TIMEOUT_MS = 30_000;

/** Storage failures are ours, not the caller's: a 503 that says so, with the cause kept for the log. */
export const storageUnavailable = (operation: string, cause: unknown) =>
  new FilesError('storage_unavailable', 'File storage did not answer; try again shortly.', {
    cause: new Error(`S3 ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause }),
  });

/**
 * Any S3-compatible bucket, spoken to over plain HTTPS with SigV4 signatures (aws4fetch). Uploads carry
 * their SHA-256 so the service refuses a body that changed on the way.
 */
export class S3Storage implements FileStorage {
  private readonly client: AwsClient;
  private readonly base: string;

  constructor(private readonly options: S3Options) {
    this.client = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      sessionToken: options.sessionToken,
      service: 's3',
      region: options.region,
      retries: 2,
    });
    const endpoint = new URL(options.endpoint ?? `https://s3.${options.region}.amazonaws.com`);
    if (options.pathStyle) {
      this.base = `${endpoint.origin}${endpoint.pathname.replace(/\/$/, '')}/${encodeURIComponent(options.bucket)}/`;
    } else {
      this.base = `${endpoint.protocol}//${options.bucket}.${endpoint.host}/`;
    }
  }

  private url(key: string): string {
    assertStorageKey(key);
    return this.base + `${this.options.prefix}${key}`.split('/').map(encodeURIComponent).join('/');
  }

  private async send(operation: string, key: string, init: RequestInit): Promise<Response> {
    const url = this.url(key);
    // Only the wait for an answer is bounded: a large download may take longer than that to stream.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    try {
      return await this.client.fetch(url, { ...init, signal: abort.signal });
    } catch (error) {
      throw storageUnavailable(`${operation} ${key}`, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private async refuse(operation: string, key: string, response: Response): Promise<never> {
    const body = await response.text().catch(() => '');
    const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? '';
    throw storageUnavailable(`${operation} ${key}`, new Error(`${response.status} ${code}`.trim()));
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const response = await this.send('PUT', key, {
      method: 'PUT',
      body: bytes,
      headers: { 'x-amz-content-sha256': createHash('sha256').update(bytes).digest('hex'), 'content-length': String(bytes.length) },
    });
    if (!response.ok) await this.refuse('PUT', key, response);
    await response.body?.cancel();
  }

  async get(key: string): Promise<Readable | undefined> {
    const response = await this.send('GET', key, { method: 'GET' });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok || !response.body) await this.refuse('GET', key, response);
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  async delete(key: string): Promise<void> {
    const response = await this.send('DELETE', key, { method: 'DELETE' });
    if (!response.ok && response.status !== 404) await this.refuse('DELETE', key, response);
    await response.body?.cancel();
  }
}
