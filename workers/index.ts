/** Every processor of this codebase. The bootstrap checks it covers each job name once. */
import aiChatReply from './ai-chat-reply.js';
import aiComplete from './ai-complete.js';
import aiSweepStuckReplies from './ai-sweep-stuck-replies.js';
import billingExpireSubscriptions from './billing-expire-subscriptions.js';
import dlpMaskMessage from './dlp-mask-message.js';
import notifyUser from './notify-user.js';
import type { Processor } from './processor.js';

export const PROCESSORS: Processor[] = [notifyUser, billingExpireSubscriptions, dlpMaskMessage, aiChatReply, aiComplete, aiSweepStuckReplies] as Processor[];
