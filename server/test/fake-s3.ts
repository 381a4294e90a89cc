import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An S3-compatible object server for tests, on 127.0.0.1: path-style PUT/GET/DELETE of objects in one
 * bucket, answering as S3 does (XML errors, 404 NoSuchKey, 204 on delete), and checking every request's
 * SigV4 signature and payload hash independently of the client library, so a wrongly signed request fails
 * here as it would at AWS.
 */
export interface FakeS3 {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  objects: Map<string, Buffer>;
  /** Requests it matches get a 503 SlowDown (an outage, or one that starts halfway through an upload). */
  failWhen: ((method: string, key: string) => boolean) | undefined;
  requests: { method: string; key: string }[];
  close(): Promise<void>;
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function xmlError(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/xml' });
  response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

function signatureProblem(request: IncomingMessage, body: Buffer, s3: FakeS3): string | undefined {
  const authorization = request.headers.authorization ?? '';
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
    authorization,
  );
  if (!match) return 'AccessDenied';
  const [, accessKeyId, day, region, signedHeaders, signature] = match as unknown as string[];
  if (accessKeyId !== s3.accessKeyId) return 'InvalidAccessKeyId';
  if (region !== s3.region) return 'AuthorizationHeaderMalformed';
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(day!)) return 'AccessDenied';
  const payloadHash = String(request.headers['x-amz-content-sha256'] ?? '');
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body)) return 'XAmzContentSHA256Mismatch';
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return 'AccessDenied';
  const url = new URL(request.url ?? '/', 'http://local');
  const query = [...url.searchParams]
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .sort()
    .join('&');
  const headers = names
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonical = [request.method, url.pathname, query, headers, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${s3.secretAccessKey}`, day!), region!), 's3'), 'aws4_request');
  const expected = hmac(key, toSign);
  return timingSafeEqual(expected, Buffer.from(signature!, 'hex')) ? undefined : 'SignatureDoesNotMatch';
}

export async function startFakeS3(): Promise<FakeS3> {
  const state = {
    bucket: 'switchboard-test',
    region: 'eu-test-1',
    accessKeyId: 'AKIDTEST',
    secretAccessKey: 'test-secret-key',
    objects: new Map<string, Buffer>(),
    failWhen: undefined as FakeS3['failWhen'],
    requests: [] as { method: string; key: string }[],
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const problem = signatureProblem(request, body, s3);
      if (problem) return xmlError(response, 403, problem, 'Refused');
      const [, bucket, ...rest] = new URL(request.url ?? '/', 'http://local').pathname.split('/');
      if (bucket !== state.bucket) return xmlError(response, 404, 'NoSuchBucket', 'The specified bucket does not exist');
      const key = rest.map(decodeURIComponent).join('/');
      if (state.failWhen?.(request.method ?? '', key)) return xmlError(response, 503, 'SlowDown', 'Please reduce your request rate.');
      state.requests.push({ method: request.method ?? '', key });
      switch (request.method) {
        case 'PUT':
          state.objects.set(key, body);
          response.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
          return response.end();
        case 'GET': {
          const object = state.objects.get(key);
          if (!object) return xmlError(response, 404, 'NoSuchKey', 'The specified key does not exist.');
          response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': object.length });
          return response.end(object);
        }
        case 'DELETE':
          state.objects.delete(key);
          response.writeHead(204);
          return response.end();
        default:
          return xmlError(response, 405, 'MethodNotAllowed', 'The specified method is not allowed');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const s3: FakeS3 = Object.assign(state, {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  return s3;
}
