import { defineErrors } from '../../core/errors.ts';

export class StaffError extends defineErrors('staff', {
  unauthenticated: 'unauthenticated',
  rate_limited: 'rate_limited',
  weak_password: 'invalid',
  password_sign_in_off: 'forbidden',
  account_disabled: 'forbidden',
  sso_unavailable: 'unavailable',
  /** Too many sign-ins are waiting for the provider to send the browser back. */
  sso_busy: 'rate_limited',
  /** The sign-in's state is unknown, expired or already used. */
  sso_state: 'unauthenticated',
  /** The sign-in was started in another browser. */
  sso_browser: 'unauthenticated',
  /** The provider refused, or what it sent does not verify (signature, issuer, audience, nonce, expiry). */
  sso_provider: 'unauthenticated',
  sso_email_unverified: 'forbidden',
  sso_unknown_user: 'forbidden',
  /** The account is already linked to another identity at this provider. */
  sso_linked_elsewhere: 'conflict',
}) {}
