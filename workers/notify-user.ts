import { userRoom } from '../core/rooms.js';
import { defineProcessor } from './processor.js';

/** Delivers a realtime event to every socket of one user, on whichever API node it is. */
export default defineProcessor({
  name: 'notify.user',
  async process(payload, { emitter }) {
    emitter.to(userRoom(payload.user_id)).emit(payload.event, payload.data);
    return { delivered: true };
  },
});
