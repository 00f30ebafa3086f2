/**
 * Table rows as paragraphs, shared by extraction (DOCX, ODT) and the masked DOCX export so both
 * mask the same texts. A row with text in two or more cells becomes one paragraph, its cells
 * joined by a tab and a cell's paragraphs by a line break: masking reads the row whole, so a
 * label («Дата рождения», «Расчётный счёт») reaches the value in the next cell, and a name
 * split over «Фамилия | Имя | Отчество» cells reads as one. A row with text in one cell keeps
 * its paragraphs: it has no neighbour to read, and a layout table may hold a whole contract
 * whose headings chunking needs. A nested table's rows are paragraphs of the cell holding it.
 */
export const CELL_SEPARATOR = '\t';
export const LINE_SEPARATOR = '\n';

/** What a paragraph is to the collector: extraction's text, the export's pieces of XML. */
export interface RowParts<P> {
  hasText(p: P): boolean;
  /** One paragraph of `ps` (each with text) in order, `separator` between them. */
  join(ps: P[], separator: string): P;
}

export class TableRows<P> {
  private readonly out: P[] = [];
  /** The rows open, innermost last: their cells, each its paragraphs. */
  private readonly rows: P[][][] = [];

  constructor(private readonly parts: RowParts<P>) {}

  paragraph(p: P): void {
    const cell = this.rows.at(-1)?.at(-1);
    if (cell) cell.push(p);
    else this.out.push(p);
  }

  openRow(): void {
    this.rows.push([]);
  }

  openCell(): void {
    this.rows.at(-1)?.push([]);
  }

  closeRow(): void {
    const cells = this.rows.pop();
    if (!cells) return;
    const filled = cells.map((cell) => cell.filter((p) => this.parts.hasText(p))).filter((cell) => cell.length);
    if (filled.length < 2) {
      for (const p of cells.flat()) this.paragraph(p);
      return;
    }
    this.paragraph(this.parts.join(filled.map((cell) => this.parts.join(cell, LINE_SEPARATOR)), CELL_SEPARATOR));
  }

  /** The paragraphs in order; a row left open (a malformed part) ends here. */
  done(): P[] {
    while (this.rows.length) this.closeRow();
    return this.out;
  }
}

/** Extraction's paragraphs: plain text. */
export const textRows = (): TableRows<string> => new TableRows<string>({ hasText: (p) => p.trim() !== '', join: (ps, separator) => ps.join(separator) });
