/**
 * Pictures in a masked DOCX. A picture may be a scanned passport, a signature, a photo or the
 * thumbnail of the first page, and no detector reads pixels: each becomes a neutral grey
 * picture (one pixel) of its own content type under its own name. Relationships and content
 * types stay as they were, the layout too (a drawing's size is its frame's, not the picture's),
 * and the reader sees a grey box where a picture was. A type we have no picture for (EMF, WMF,
 * HD Photo) is emptied: Word shows its frame for a picture it cannot display. Embedded objects
 * (`word/embeddings/`: a spreadsheet, another document) are emptied too; what Word shows of them
 * is a picture, replaced as above.
 */
const base64 = (s: string) => Buffer.from(s, 'base64');
// pdftoppm -jpeg -gray -jpegopt optimize=y of a grey page at 1 dpi.
const JPEG = base64('/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAABAAEDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAb/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFAEBAAAAAAAAAAAAAAAAAAAAAP/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/AL8AH//Z');

const NEUTRAL: Record<string, Buffer> = {
  'image/png': base64('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGM4AAAAwgDBUl5XUQAAAABJRU5ErkJggg=='),
  'image/jpeg': JPEG,
  'image/jpg': JPEG,
  'image/gif': base64('R0lGODlhAQABAIAAAMDAwMDAwCwAAAAAAQABAAACAkQBADs='),
  'image/bmp': base64('Qk06AAAAAAAAADYAAAAoAAAAAQAAAAEAAAABABgAAAAAAAQAAAATCwAAEwsAAAAAAAAAAAAAwMDAAA=='),
  'image/tiff': base64('SUkqAAoAAADAAAkAAAEDAAEAAAABAAAAAQEDAAEAAAABAAAAAgEDAAEAAAAIAAAAAwEDAAEAAAABAAAABgEDAAEAAAABAAAAEQEEAAEAAAAIAAAAFQEDAAEAAAABAAAAFgEDAAEAAAABAAAAFwEEAAEAAAABAAAAAAAAAA=='),
  'image/svg+xml': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" height="1" fill="#c0c0c0"/></svg>'),
};

/** What replaces the part `name` of content type `type`; undefined when it is neither a picture nor an embedded object or macro project. */
export function neutralPart(name: string, type: string | undefined): Buffer | undefined {
  if (type?.startsWith('image/')) return NEUTRAL[type] ?? Buffer.alloc(0);
  // Embedded files, and macros and ActiveX controls (a .docx runs none, but their strings and values are in the bytes).
  if (name.startsWith('word/embeddings/') || /^word\/(?:vbaProject[^/]*|activeX\/[^/]+)\.bin$/i.test(name)) return Buffer.alloc(0);
  return undefined;
}

const attribute = (element: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(element)?.[1];

/** The content type of each part as `[Content_Types].xml` gives it: its override, else its extension's default (case-insensitive). */
export function contentTypes(xml: string): (name: string) => string | undefined {
  const defaults = new Map<string, string>();
  const overrides = new Map<string, string>();
  for (const [element, kind] of xml.matchAll(/<(Default|Override)\b[^>]*>/g)) {
    const type = attribute(element, 'ContentType')?.toLowerCase();
    const key = attribute(element, kind === 'Default' ? 'Extension' : 'PartName')?.toLowerCase();
    if (type && key) (kind === 'Default' ? defaults : overrides).set(key, type);
  }
  return (name) => {
    const lower = name.toLowerCase();
    const dot = lower.lastIndexOf('.');
    return overrides.get(`/${lower}`) ?? (dot > lower.lastIndexOf('/') ? defaults.get(lower.slice(dot + 1)) : undefined);
  };
}
