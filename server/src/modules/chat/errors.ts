import { defineErrors } from '../../core/errors.ts';

export class ChatError extends defineErrors('chat', {
  /** One of the two has blocked the other: they cannot reach each other. */
  blocked: 'forbidden',
  /** The sender left the conversation. */
  left: 'forbidden',
  /** The message was already decided or hidden. */
  already_hidden: 'conflict',
}) {}
