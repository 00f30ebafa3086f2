import { importLaws } from '../core/law/library.js';
import { resetTermStats } from '../core/search/fulltext.js';
import { enqueueLawEmbed } from '../pipelines/on-demand.js';
import { defineProcessor } from './processor.js';

/** Imports the shipped law codes that are missing or changed. Idempotent: a rerun skips unchanged codes. */
export default defineProcessor({
  name: 'law.import',
  async process(_payload, { db, log, queues, embedder }) {
    const report = await importLaws(db);
    if (report.imported.length) {
      resetTermStats();
      log.info({ imported: report.imported }, 'law library imported');
    }
    // Passages that lack a vector (new, or imported before embeddings were configured).
    if (embedder) await enqueueLawEmbed(queues);
    return report;
  },
});
