/**
 * Postal addresses: a street marker ("ул.", "проспект", ...) with a name and a house number,
 * optionally building and flat, extended left over index, region and settlement segments.
 * A street name without a house number (ул. Тверская, Тверской районный суд) is not personal data.
 * Every quantifier is bounded, so the work per marker is constant.
 */
import type { DetectedEntity } from '../types.js';

/** Matched on the lowercased text: without the i and u flags the scan is several times faster. */
const MARKER = /(?<![а-яёa-z])(?:ул\.|улица|пр-т|пр-кт|просп\.|проспект|пер\.|переулок|ш\.|шоссе|б-р|бул\.|бульвар|наб\.|набережная|пл\.|площадь|проезд|мкр\.|мкрн\.?|микрорайон|тупик|аллея|кв-л|квартал)/g;
const WORD = '[\\p{L}\\d][\\p{L}\\d.-]{0,30}';
const REST = new RegExp(
  `[ \\u00a0]{0,3}(${WORD}(?:[ \\u00a0]{1,2}${WORD}){0,3}?)?,?[ \\u00a0]{0,3}(?:(д\\.|дом|д)[ \\u00a0]{0,2})?\\d{1,4}(?:[а-яА-Я](?!\\p{L}))?(?:/\\d{1,4})?` +
    `(?:,?[ \\u00a0]{0,2}(?:корп\\.|корпус|к\\.|стр\\.|строение|лит\\.|литера)[ \\u00a0]{0,2}[\\p{L}\\d]{1,4})*` +
    `(?:,?[ \\u00a0]{0,2}(?:кв\\.|квартира|кв|оф\\.|офис|пом\\.|помещение|комн\\.|комната)[ \\u00a0]{0,2}\\d{1,5}[а-яА-Я]?)?(?![\\p{L}\\d])`,
  'yu',
);
const NAME_BEFORE = /[\p{Lu}\d][\p{L}\d-]{1,30}[ \u00a0]{1,2}$/u;
const SEGMENTS = [
  /^\d{6}$/u,
  /^(?:г\.|город|гор\.|пос\.|поселок|посёлок|п\.|с\.|село|дер\.|деревня|д\.|пгт\.?|станица|ст-ца|рп\.?)[ \u00a0]{0,2}\p{Lu}[\p{L} .-]{0,40}$/u,
  /^\p{Lu}[\p{L} .-]{0,40}[ \u00a0](?:обл\.?|область|край|р-н|район|респ\.?|республика|АО)$/u,
  /^(?:респ\.?|республика)[ \u00a0]\p{Lu}[\p{L} -]{0,40}$/iu,
  /^(?:Москва|Санкт-Петербург|Севастополь|Россия|Российская Федерация|РФ)$/u,
];
/** A segment ends at one of these characters when walking left. */
const SEGMENT_STOP = /[,;:\n()«»"]/u;

function extendLeft(text: string, start: number): number {
  for (let hops = 0; hops < 4; hops++) {
    let i = start - 1;
    while (i >= 0 && (text[i] === ' ' || text[i] === '\u00a0')) i--;
    if (text[i] !== ',') break;
    let j = i - 1;
    while (j >= 0 && i - j <= 60 && !SEGMENT_STOP.test(text[j] as string)) j--;
    const segment = text.slice(j + 1, i).trim();
    if (!SEGMENTS.some((re) => re.test(segment))) break;
    start = text.indexOf(segment, j + 1);
  }
  return start;
}

/** A comma at `from` after at most three spaces. */
function commaAt(text: string, from: number): boolean {
  let i = from;
  while (i < from + 3 && (text[i] === ' ' || text[i] === '\u00a0')) i++;
  return text[i] === ',';
}

export function detectAddresses(text: string, lower: string): DetectedEntity[] {
  const out: DetectedEntity[] = [];
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(lower); m !== null; m = MARKER.exec(lower)) {
    REST.lastIndex = m.index + m[0].length;
    const rest = REST.exec(lower);
    if (rest === null) continue;
    // Without "д."/"дом", a lowercase word before the number is prose ("на площадь вырвались до 6 тысяч").
    const name = rest[1];
    if (rest[2] === undefined && name !== undefined) {
      const at = lower.indexOf(name, REST.lastIndex - rest[0].length);
      const first = text.charCodeAt(at);
      if (!(first >= 48 && first <= 57) && text[at] === lower[at]) continue;
    }
    let start = m.index;
    // "Тверская ул., д. 1": the name comes before the marker.
    if (commaAt(text, REST.lastIndex - rest[0].length)) {
      const before = NAME_BEFORE.exec(text.slice(Math.max(0, start - 34), start));
      if (before !== null) start -= before[0].length;
    }
    start = extendLeft(text, start);
    out.push({ type: 'ADDRESS', start, end: REST.lastIndex, score: 0.85 });
  }
  return out;
}
