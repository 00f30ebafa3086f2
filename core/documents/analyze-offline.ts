/**
 * The analysis without a model (the offline provider): extractive and deterministic. The
 * summary is the first sentences; parties come from «именуемый в дальнейшем "…"» and «далее —
 * "…"»; key terms are sentences with sums, dates or a срок; risks come from a small rule
 * set (penalties, one-sided termination, automatic renewal, excluded liability, acting
 * without notice, deposits, agreed jurisdiction). Each item points at its passage.
 */
import type { ModelAnalysis, Passage } from './analyze-schema.js';

export const OFFLINE_ANALYSIS_MODEL = 'offline-extractive-v1';

const SUMMARY_CHARS = 500;
const MAX_TERMS = 15;
const MAX_RISKS = 15;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1).trimEnd()}…` : s);

interface Sentence {
  text: string;
  passage: number;
}

function sentencesOf(passages: Passage[]): Sentence[] {
  return passages.flatMap((p) => p.text.split(/(?<=[.!?…;])\s+|\n+/u)
    .map((t) => t.trim()).filter((t) => t.length > 0).map((text) => ({ text, passage: p.n })));
}

function summaryOf(sentences: Sentence[]): string {
  // Headings ("Статья 1. Предмет договора") say little: prose sentences first.
  const prose = sentences.filter((s) => s.text.split(/\s+/).length >= 5);
  let summary = '';
  for (const s of prose.length ? prose : sentences) {
    if (summary && summary.length + s.text.length > SUMMARY_CHARS) break;
    summary = summary ? `${summary} ${s.text}` : s.text;
    if (summary.length >= SUMMARY_CHARS / 2) break;
  }
  return clip(summary || 'Текст документа пуст.', SUMMARY_CHARS);
}

const ROLE = /(?:именуем\p{L}*\s+(?:в\s+дальнейшем|далее)|далее\s*[—–-]?)\s*[«"„“]([^»"”“]{2,40})[»"”“]/giu;
const ORGANIZATION = /(?:ООО|АО|ПАО|ЗАО|ОАО|ИП|НКО|ГУП|МУП)\s*[«"„“][^»"”“]+[»"”“]/u;
const PLACEHOLDER = /\[(?:PERSON|ORGANIZATION|ORG)_\d+\]/u;

function partiesOf(sentences: Sentence[]): ModelAnalysis['parties'] {
  const parties: ModelAnalysis['parties'] = [];
  for (const s of sentences) {
    let from = 0;
    for (const m of s.text.matchAll(ROLE)) {
      // Who: what stands between the previous party (or "… и") and this role.
      const before = s.text.slice(from, m.index).split(/\s+и\s+|с одной стороны,?|;/u).at(-1)!;
      from = m.index + m[0].length;
      const name = ORGANIZATION.exec(before)?.[0] ?? PLACEHOLDER.exec(before)?.[0] ?? before.replace(/^[\s,]+|[\s,]+$/g, '');
      const role = m[1]!.trim();
      if (!name || parties.some((p) => p.role === role)) continue;
      parties.push({ name: clip(name, 200), role, passage: s.passage });
    }
  }
  return parties;
}

const MONTHS = 'января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря';
const TERM_RULES: Array<{ term: string; pattern: RegExp }> = [
  { term: 'Сумма', pattern: /\d[\d\s]*(?:[.,]\d+)?\s*(?:руб\p{L}*|₽)|\(\s*\p{L}+[^)]*рубл\p{L}*\s*\)/iu },
  { term: 'Дата', pattern: new RegExp(`\\b\\d{1,2}\\.\\d{1,2}\\.\\d{2,4}\\b|«?\\d{1,2}»?\\s+(?:${MONTHS})\\s+\\d{4}`, 'iu') },
  { term: 'Срок', pattern: /(?<!\p{L})срок\p{L}*/iu },
];

function termsOf(sentences: Sentence[]): ModelAnalysis['key_terms'] {
  const terms: ModelAnalysis['key_terms'] = [];
  for (const s of sentences) {
    const rule = TERM_RULES.find((r) => r.pattern.test(s.text));
    if (rule) terms.push({ term: rule.term, value: clip(s.text, 300), passage: s.passage });
    if (terms.length >= MAX_TERMS) break;
  }
  return terms;
}

const RISK_RULES: Array<{ severity: 'low' | 'medium' | 'high'; pattern: RegExp; text: string }> = [
  { severity: 'high', pattern: /в\s+одностороннем\s+порядке|односторонн\p{L}*\s+(?:отказ|расторж|изменен)/iu, text: 'Одностороннее расторжение или изменение договора' },
  { severity: 'medium', pattern: /неустойк|штраф|(?<!\p{L})пен[иья](?!\p{L})/iu, text: 'Неустойка или штраф: проверьте размер, основания и соразмерность (ст. 333 ГК РФ)' },
  { severity: 'medium', pattern: /автоматически\s+продл|пролонг|считается\s+продл[её]нн/iu, text: 'Автоматическая пролонгация: договор продлится, если не заявить об отказе вовремя' },
  { severity: 'medium', pattern: /не\s+нес[её]т\s+ответственност|освобожда\p{L}*\s+от\s+ответственност/iu, text: 'Ограничение или исключение ответственности стороны' },
  { severity: 'medium', pattern: /без\s+(?:предварительного\s+)?(?:уведомлени|согласи)/iu, text: 'Действия без уведомления или согласия другой стороны' },
  { severity: 'low', pattern: /задат|обеспечительн\p{L}*\s+плат|залог/iu, text: 'Задаток, залог или обеспечительный платёж: проверьте условия возврата' },
  { severity: 'low', pattern: /подсудност|третейск/iu, text: 'Договорная подсудность или третейская оговорка' },
];

function risksOf(sentences: Sentence[]): ModelAnalysis['risks'] {
  const risks: ModelAnalysis['risks'] = [];
  for (const rule of RISK_RULES) {
    // At most two quotes per rule, so one repeated clause does not crowd out the others.
    for (const s of sentences.filter((x) => rule.pattern.test(x.text)).slice(0, 2)) {
      risks.push({ severity: rule.severity, text: `${rule.text}: «${clip(s.text, 200)}»`, passage: s.passage });
    }
  }
  return risks.slice(0, MAX_RISKS);
}

export function extractiveAnalysis(passages: Passage[]): ModelAnalysis {
  const sentences = sentencesOf(passages);
  return { summary: summaryOf(sentences), parties: partiesOf(sentences), key_terms: termsOf(sentences), risks: risksOf(sentences) };
}
