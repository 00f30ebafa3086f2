/**
 * The parts of a DOCX that describe it rather than hold its text, and can still name people:
 * properties, the people who commented or revised, document variables. Each part is kept (so
 * content types and relationships stay consistent) with its values masked or removed.
 */
import type { DocxMasker } from './masked-docx.js';
import { escapeXml, unescapeXml } from './xml.js';

/** Masks the text of the elements named `tags`; those in `people` name a person. */
function maskElements(xml: string, tags: string[], people: Set<string>, masker: DocxMasker): string {
  const element = new RegExp(`<(${tags.join('|')})(\\s[^>]*)?>([^<]*)</\\1>`, 'g');
  return xml.replace(element, (whole, tag: string, attrs = '', value: string) => {
    if (!value.trim()) return whole;
    const masked = people.has(tag) ? masker.person(unescapeXml(value)) : masker.text(unescapeXml(value));
    return `<${tag}${attrs}>${escapeXml(masked)}</${tag}>`;
  });
}

/** docProps/core.xml: the author and the last editor are people; title, subject and the rest are free text. */
export const maskCoreProps = (xml: string, masker: DocxMasker) =>
  maskElements(xml, ['dc:creator', 'cp:lastModifiedBy', 'dc:title', 'dc:subject', 'dc:description', 'cp:keywords'], new Set(['dc:creator', 'cp:lastModifiedBy']), masker);

/** docProps/app.xml: the manager is a person; the company (an ИП is its owner's name), template, link base and part titles are free text. */
export const maskAppProps = (xml: string, masker: DocxMasker) =>
  maskElements(xml, ['Manager', 'Company', 'Template', 'HyperlinkBase', 'vt:lpstr'], new Set(['Manager']), masker);

/**
 * word/people.xml: who commented or revised. A person keeps their entry, named by the
 * placeholder their `w:author` gets (comments find them by that name); their account
 * (`presenceInfo`: an e-mail or login and its provider) is removed, which the schema allows.
 */
export const maskPeople = (xml: string, masker: DocxMasker) => xml
  .replace(/<(\w+:)?presenceInfo\b[^>]*?(?:\/>|>[\s\S]*?<\/\1presenceInfo>)/g, '')
  .replace(/(\s\w+:author=")([^"]*)"/g, (_, head: string, name: string) => `${head}${escapeXml(masker.person(unescapeXml(name)))}"`);

/**
 * docProps/custom.xml: properties of any name holding any value (a passport number named
 * «Паспорт»), nothing a detector could read in context: every property is removed, the part
 * stays, empty, as the schema allows.
 */
export const emptyCustomProps = (xml: string) => xml.replace(/<(\w+:)?property\b[\s\S]*?<\/\1property>|<(\w+:)?property\b[^>]*\/>/g, '');

/**
 * word/settings.xml: document variables (`w:docVars`), data that templates and macros keep
 * for fields, are removed; a field's result is text, masked where it stands.
 */
export const dropDocVars = (xml: string) => xml.replace(/<w:docVars\b[^>]*\/>|<w:docVars\b[\s\S]*?<\/w:docVars>/g, '');

/**
 * customXml/item*.xml: data stores of any shape (content controls' bindings, SharePoint
 * fields), whose values have no context to be recognised by: emptied, as custom.xml's are;
 * elements and namespaces stay, so the package and its bindings still resolve (a bound
 * control then shows blank, never the value).
 */
export function emptyDataStore(xml: string): string {
  return xml
    .replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g, '')
    .replace(/<[^?!][^>]*>/g, (tag) => tag.replace(/(\s(?!xmlns\b)[\w.:-]+)\s*=\s*(?:"[^"]*"|'[^']*')/g, '$1=""'))
    .replace(/>([^<]+)</g, (whole, text: string) => (text.trim() ? '><' : whole));
}
