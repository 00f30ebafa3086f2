/** Every processor of this codebase. The bootstrap checks it covers each job name once. */
import aiChatReply from './ai-chat-reply.js';
import aiComplete from './ai-complete.js';
import aiSweepStuckReplies from './ai-sweep-stuck-replies.js';
import billingApplyEvent from './billing-apply-event.js';
import billingDailyReport from './billing-daily-report.js';
import billingExpireSubscriptions from './billing-expire-subscriptions.js';
import billingReconcile from './billing-reconcile.js';
import billingRenew from './billing-renew.js';
import dlpMaskMessage from './dlp-mask-message.js';
import documentsAnalyze from './documents-analyze.js';
import documentsDestroy from './documents-destroy.js';
import documentsEmbed from './documents-embed.js';
import documentsExtract from './documents-extract.js';
import documentsIndex from './documents-index.js';
import documentsMask from './documents-mask.js';
import documentsMaskExport from './documents-mask-export.js';
import lawEmbed from './law-embed.js';
import lawImport from './law-import.js';
import notifyUser from './notify-user.js';
import reviewsClassify from './reviews-classify.js';
import reviewsRoute from './reviews-route.js';
import reviewsRoutePending from './reviews-route-pending.js';
import reviewsTimer from './reviews-timer.js';
import type { Processor } from './processor.js';

export const PROCESSORS: Processor[] = [notifyUser, billingExpireSubscriptions, dlpMaskMessage, aiChatReply, aiComplete, aiSweepStuckReplies, documentsDestroy, documentsExtract, documentsMask, documentsIndex, lawImport, documentsAnalyze, documentsMaskExport, documentsEmbed, lawEmbed, reviewsClassify, reviewsRoute, reviewsRoutePending, reviewsTimer, billingApplyEvent, billingReconcile, billingRenew, billingDailyReport] as Processor[];
