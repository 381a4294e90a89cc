import { createHmac, timingSafeEqual } from 'node:crypto';

/** `/api/files/:id/:variant?expires=<unix seconds>&sig=<hmac>`: a link that works until it expires, for anyone holding it. */
export function signFileUrl(secret: string, fileId: string, variant: string, expiresAt: number): string {
  const sig = createHmac('sha256', secret).update(`${fileId}/${variant}/${expiresAt}`).digest('base64url');
  return `/api/files/${fileId}/${variant}?expires=${expiresAt}&sig=${sig}`;
}

export function verifyFileSignature(secret: string, fileId: string, variant: string, expires: number, sig: string, nowSeconds: number): boolean {
  if (!Number.isInteger(expires) || expires < nowSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${fileId}/${variant}/${expires}`).digest();
  const given = Buffer.from(sig, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
