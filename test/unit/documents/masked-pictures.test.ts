/** What the masked DOCX export puts in place of pictures and embedded objects, by content type. */
import { describe, expect, it } from 'vitest';
import { contentTypes, neutralPart } from '../../../core/documents/masked-pictures.js';

const TYPES = '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="PNG" ContentType="image/png"/><Default ContentType="image/jpeg" Extension="jpeg"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="emf" ContentType="image/x-emf"/><Override PartName="/word/media/scan.bin" ContentType="image/tiff"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';

describe('pictures in a masked DOCX', () => {
  const typeOf = contentTypes(TYPES);

  it('reads content types by override, else by extension, either way regardless of case', () => {
    expect(['word/media/image1.png', 'word/media/Photo.JPEG', 'word/media/scan.bin', 'word/document.xml', 'word/media/noext', 'word.x/media'].map(typeOf))
      .toEqual(['image/png', 'image/jpeg', 'image/tiff', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml', undefined, undefined]);
  });

  it('puts a one-pixel picture of the same format in place of each picture, empties what it cannot draw and embedded objects, leaves the rest', () => {
    const magic = (type: string, bytes: number) => neutralPart('word/media/x', type)!.subarray(0, bytes).toString('latin1');
    expect(magic('image/png', 8)).toBe('\x89PNG\r\n\x1a\n');
    expect(magic('image/jpeg', 3)).toBe('\xff\xd8\xff');
    expect(magic('image/gif', 6)).toBe('GIF89a');
    expect(magic('image/bmp', 2)).toBe('BM');
    expect(magic('image/tiff', 4)).toBe('II*\x00');
    expect(magic('image/svg+xml', 4)).toBe('<svg');
    expect(neutralPart('word/media/image3.emf', 'image/x-emf')).toEqual(Buffer.alloc(0));
    expect(neutralPart('word/embeddings/Microsoft_Excel_Worksheet.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).toEqual(Buffer.alloc(0));
    expect(neutralPart('word/styles.xml', 'application/xml')).toBeUndefined();
  });
});
