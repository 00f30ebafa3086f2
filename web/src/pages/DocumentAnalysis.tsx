/**
 * A document's analysis: the run's state (`document.analysis_status`: queued or failed) and
 * the last complete analysis (`document.analysis`: summary, parties, key terms and risks, each
 * linked to its place in the text when the API gave one), which stays shown while a new run works.
 */
import { Markdown } from '../components/Markdown';
import { useT } from '../lib/i18n';

interface Locator {
  page?: number;
  paragraph?: number;
  clause?: string;
}
type Located<T> = T & { locator?: Locator };
export interface Analysis {
  version: number;
  summary: string;
  parties: Array<Located<{ name: string; role: string }>>;
  key_terms: Array<Located<{ term: string; value: string }>>;
  risks: Array<Located<{ severity: 'low' | 'medium' | 'high'; text: string }>>;
  degraded?: boolean;
}
export interface AnalysisStatus {
  status: 'queued' | 'ready' | 'failed';
  version: number;
  error: { code: string; detail: string } | null;
}

// A locator counts paragraphs from 0; a reader, and the text's anchors, from 1.
const where = (l?: Locator) => [l?.clause && `п. ${l.clause}`, l?.page && `стр. ${l.page}`, l?.paragraph !== undefined && `абз. ${l.paragraph + 1}`].filter(Boolean).join(', ');

/** "п. 2.1, абз. 4" linking to the paragraph in the text below; nothing when there is no place. */
function Place({ locator, linked }: { locator?: Locator; linked: boolean }) {
  const text = where(locator);
  if (!text) return null;
  return <> · {linked && locator?.paragraph !== undefined ? <a href={`#p-${locator.paragraph + 1}`}>{text}</a> : <span className="muted">{text}</span>}</>;
}

/** `textVersion`: the version whose text the page shows; places link into it only when the analysis read that version. */
export function DocumentAnalysis({ analysis, status, textVersion }: { analysis: Analysis | null; status: AnalysisStatus | null; textVersion: number }) {
  const t = useT();
  const linked = analysis?.version === textVersion;
  return (
    <section className="analysis" aria-labelledby="analysis" data-analysis={status?.status}>
      <h2 id="analysis">{t('analysis')}</h2>
      {status?.status === 'queued' && <p role="status" className="muted">{t('analysisQueued')}</p>}
      {status?.status === 'failed' && <p role="alert" className="error">{t('analysisFailed')}{status.error ? `: ${status.error.detail ?? status.error.code}` : ''}</p>}
      {analysis && (
        <>
          {analysis.degraded && <p className="badge warn">{t('analysisDegraded')}</p>}
          {!linked && <p className="muted">{t('analysisOfVersion').replace('{n}', String(analysis.version))}</p>}
          <h3>{t('summary')}</h3>
          <Markdown text={analysis.summary} />
          <h3>{t('parties')}</h3>
          <ul>{analysis.parties.map((p, i) => <li key={i}><b>{p.name}</b>{p.role && ` — ${p.role}`}<Place locator={p.locator} linked={linked} /></li>)}</ul>
          <h3>{t('keyTerms')}</h3>
          <ul>{analysis.key_terms.map((k, i) => <li key={i}><b>{k.term}</b>: {k.value}<Place locator={k.locator} linked={linked} /></li>)}</ul>
          <h3>{t('risks')}</h3>
          <ul className="risks">
            {analysis.risks.map((r, i) => (
              <li key={i} className={`risk ${r.severity}`}><span className="badge">{t('riskLevel')}: {t(`risk_${r.severity}`)}</span> {r.text}<Place locator={r.locator} linked={linked} /></li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
