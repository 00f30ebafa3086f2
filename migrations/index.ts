/**
 * The ordered list of migrations. Imported statically (not discovered on disk by knex), so
 * they load the same under tsx, vitest and a bundler. A test checks that every file in this
 * folder is listed here.
 */
import type { Knex } from 'knex';
import * as init from './20261127000001_init.js';
import * as chatIdempotency from './20261127000002_chat_idempotency.js';
import * as usageReports from './20261201000003_usage_reports.js';
import * as documentsUpload from './20261210000004_documents_upload.js';
import * as documentTexts from './20261212000005_document_texts.js';
import * as searchLaw from './20261214000006_search_law.js';
import * as chunkVectors from './20261214000007_chunk_vectors.js';
import * as auditChain from './20261214000011_audit_chain.js';
import * as lawyerReviews from './20261220000012_lawyer_reviews.js';
import * as billing from './20261222000013_billing.js';
import * as privacy from './20261224000014_privacy.js';
import * as userKeys from './20261226000015_user_keys.js';
import * as chatAdmission from './20261228000016_chat_admission.js';
import * as documentAnalysisStatus from './20261230000017_document_analysis_status.js';
import * as dropMessageFts from './20261231000018_drop_message_fts.js';
import * as ginPendingLists from './20270102000019_gin_pending_lists.js';
import * as tsvInline from './20270103000020_tsv_inline.js';
import * as reviewDocumentVersion from './20270104000021_review_document_version.js';
import * as subscriptionPrice from './20270105000022_subscription_price.js';
import * as paymentEventData from './20270106000023_payment_event_data.js';
import * as subscriptionsOutliveErasure from './20270107000024_subscriptions_outlive_erasure.js';
import * as blockedSessions from './20270108000025_blocked_sessions.js';
import * as periodAnchor from './20270109000026_period_anchor.js';
import * as auditTarget from './20270110000027_audit_target.js';
import * as consents from './20261214000010_consents.js';
import * as documentMasked from './20261214000008_document_masked.js';

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
}

export const MIGRATIONS: Migration[] = [
  { name: '20261127000001_init', ...init },
  { name: '20261127000002_chat_idempotency', ...chatIdempotency },
  { name: '20261201000003_usage_reports', ...usageReports },
  { name: '20261210000004_documents_upload', ...documentsUpload },
  { name: '20261212000005_document_texts', ...documentTexts },
  { name: '20261214000006_search_law', ...searchLaw },
  { name: '20261214000007_chunk_vectors', ...chunkVectors },
  { name: '20261214000008_document_masked', ...documentMasked },
  { name: '20261214000010_consents', ...consents },
  { name: '20261214000011_audit_chain', ...auditChain },
  { name: '20261220000012_lawyer_reviews', ...lawyerReviews },
  { name: '20261222000013_billing', ...billing },
  { name: '20261224000014_privacy', ...privacy },
  { name: '20261226000015_user_keys', ...userKeys },
  { name: '20261228000016_chat_admission', ...chatAdmission },
  { name: '20261230000017_document_analysis_status', ...documentAnalysisStatus },
  { name: '20261231000018_drop_message_fts', ...dropMessageFts },
  { name: '20270102000019_gin_pending_lists', ...ginPendingLists },
  { name: '20270103000020_tsv_inline', ...tsvInline },
  { name: '20270104000021_review_document_version', ...reviewDocumentVersion },
  { name: '20270105000022_subscription_price', ...subscriptionPrice },
  { name: '20270106000023_payment_event_data', ...paymentEventData },
  { name: '20270107000024_subscriptions_outlive_erasure', ...subscriptionsOutliveErasure },
  { name: '20270108000025_blocked_sessions', ...blockedSessions },
  { name: '20270109000026_period_anchor', ...periodAnchor },
  { name: '20270110000027_audit_target', ...auditTarget },
];
