import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { StaffError } from './errors.ts';

/** OWASP's argon2id floor: 19 MiB of memory, 2 iterations, 1 lane. */
const ARGON2 = { memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 8;
/** Long passphrases are welcome and never truncated; the cap only stops hashing megabytes. */
export const PASSWORD_MAX = 1024;

const common = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

/** Why a password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | undefined {
  if ([...password].length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  if (common.has(password.toLowerCase())) return 'is one of the most common passwords; choose another';
  if (email && password.toLowerCase() === email.toLowerCase()) return 'must not be your email address';
  return undefined;
}

export const hashPassword = (password: string) => hash(password, ARGON2);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Verifying against this when the account does not exist keeps the response time the same. */
let dummyHash: Promise<string> | undefined;
export async function burnVerifyTime(password: string): Promise<void> {
  dummyHash ??= hashPassword('switchboard-timing-equaliser');
  await verifyPassword(await dummyHash, password);
}

/** A password already checked against the policy and hashed, so the slow hashing happens outside any transaction. */
export interface NewPassword {
  plain: string;
  hash: string;
  /** The request field it came from, for error messages. */
  field: string;
}

export async function preparePassword(plain: string, field: string, email?: string): Promise<NewPassword> {
  const problem = passwordProblem(plain, email);
  if (problem) throw StaffError.invalid(field, problem);
  return { plain, hash: await hashPassword(plain), field };
}
