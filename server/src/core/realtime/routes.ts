import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { defineErrors } from '../errors.ts';
import { memberOf } from '../http/guard.ts';
import type { Kernel } from '../kernel.ts';
import { realtimeHub } from './hub.ts';

export class RealtimeError extends defineErrors('realtime', {}) {}

/**
 * `GET /api/client/ws`, registered by the module that signs members in (it needs their bearer tokens).
 * The WebSocket plugin lives in this route's own scope: registered for the whole app it wraps every
 * route's handler and adds hooks to every request (a seventh of `/me`'s throughput).
 */
export async function clientSocketRoute(app: FastifyInstance, kernel: Kernel): Promise<void> {
  const hub = realtimeHub(kernel);
  await app.register(async (scope) => {
    await scope.register(websocket, { options: { maxPayload: 64 * 1024 } });
    clientSocket(scope, kernel, hub);
  });
}

function clientSocket(app: FastifyInstance, kernel: Kernel, hub: ReturnType<typeof realtimeHub>): void {
  app.get(
    '/client/ws',
    {
      websocket: true,
      config: { member: true },
      schema: {
        tags: ['client'],
        summary: 'Presence and live events: a WebSocket',
        description:
          'Send `{"type":"ping"}` at least every `heartbeatSeconds` (from the welcome message); a connection silent for 2.5 intervals is closed (4008) and the member goes offline when their last connection ends. `{"type":"subscribe","stream":"me"}` is the only stream a member may join; events about the member arrive as `{"type":"event","event":…}`. Closed with 4003 when the person is blocked. Browsers must come from an origin in CLIENT_ORIGINS.',
      },
      // Browsers send an Origin; a page on another site must not ride a member's token into this socket.
      preValidation: async (request) => {
        const origin = request.headers.origin;
        if (origin !== undefined && !kernel.config.clientOrigins.includes(origin.replace(/\/$/, ''))) {
          throw RealtimeError.forbidden('This origin may not open the client WebSocket.');
        }
      },
    },
    (socket, request) => {
      hub.attach(socket, memberOf(request), request.log).catch((error: unknown) => {
        request.log.error({ err: error }, 'opening a member connection failed');
        socket.close(1011, 'server error');
      });
    },
  );
}
