import { defineErrors } from '../../core/errors.ts';

export class CallsError extends defineErrors('calls', {
  /** The call is not in a state that allows this step. */
  call_state: 'conflict',
  /** The streamer or the caller is already in a call. */
  busy: 'conflict',
  /** No tariff prices this kind of call yet. */
  no_tariff: 'conflict',
  /** The caller's wallet cannot pay the connect. */
  insufficient_funds: 'conflict',
  /** No video provider is configured (AGORA_*, TWILIO_*). */
  no_provider: 'unavailable',
}) {}
