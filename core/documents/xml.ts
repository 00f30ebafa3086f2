/** XML text and attribute values, for the parts of office files read and rewritten here. */
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** A character reference's character; one beyond Unicode (`&#x110000;`) reads as U+FFFD, as an XML reader would refuse it. */
function character(ref: string): string {
  const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
  return code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
}

export const unescapeXml = (s: string) => s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
  e[0] === '#' ? character(e) : ENTITIES[e.toLowerCase()]!);

/** Safe in text and in a double-quoted attribute. */
export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
