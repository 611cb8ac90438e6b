/**
 * Minimal Office Open XML workbook (.xlsx), streamed: worksheets are written row by row into a streaming ZIP with
 * inline strings (no shared-string table to keep in memory). Only what a dataset needs: text and number cells, a
 * bold, frozen header row. Text that looks like a formula is neutralised like in CSV (it is stored as text anyway).
 */
import { neutraliseFormula } from './scrub';
import { ZipEntryWriter, ZipWriter } from './zip-writer';

export type XlsxCell = number | string | null | undefined;

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const MAX_TEXT = 32767;

const INVALID_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(s: string): string {
  return s
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function columnLetters(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export interface SheetWriter {
  /** `await` the result */
  row(cells: ReadonlyArray<XlsxCell>, opts?: { bold?: boolean }): Promise<void> | undefined;
  close(): Promise<void>;
}

export class XlsxWriter {
  private readonly zip: ZipWriter;
  private readonly sheets: string[] = [];
  private open = false;

  constructor(out: NodeJS.WritableStream) {
    this.zip = new ZipWriter(out);
  }

  /** Starts the next worksheet; the previous one must be closed. `frozenHeader` freezes the first row. */
  async sheet(name: string, opts: { frozenHeader?: boolean } = {}): Promise<SheetWriter> {
    if (this.open) throw new Error('xlsx: close the previous sheet first');
    this.open = true;
    this.sheets.push(name.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31));
    const entry: ZipEntryWriter = this.zip.entry(`xl/worksheets/sheet${this.sheets.length}.xml`);
    const pane = opts.frozenHeader
      ? '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
      : '';
    await entry.write(`${XML_HEAD}<worksheet xmlns="${NS}" xmlns:r="${REL}">${pane}<sheetData>`);
    const letters: string[] = [];
    let rowNo = 0;
    return {
      row: (cells, rowOpts = {}) => {
        rowNo++;
        const style = rowOpts.bold ? ' s="1"' : '';
        let xml = `<row r="${rowNo}">`;
        for (let i = 0; i < cells.length; i++) {
          const v = cells[i];
          if (v === null || v === undefined || v === '') continue;
          const ref = (letters[i] ??= columnLetters(i)) + rowNo;
          if (typeof v === 'number') {
            if (Number.isFinite(v)) xml += `<c r="${ref}"${style}><v>${v}</v></c>`;
          } else {
            xml += `<c r="${ref}"${style} t="inlineStr"><is><t xml:space="preserve">${xmlText(neutraliseFormula(v).slice(0, MAX_TEXT))}</t></is></c>`;
          }
        }
        return entry.write(xml + '</row>');
      },
      close: async () => {
        await entry.write('</sheetData></worksheet>');
        await entry.close();
        this.open = false;
      },
    };
  }

  async end(): Promise<void> {
    const n = this.sheets.length;
    const range = (f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i + 1)).join('');
    await this.zip.file(
      '[Content_Types].xml',
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        range(
          (i) =>
            `<Override PartName="/xl/worksheets/sheet${i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
        ) +
        '</Types>',
    );
    await this.zip.file(
      '_rels/.rels',
      `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    );
    await this.zip.file(
      'xl/workbook.xml',
      `${XML_HEAD}<workbook xmlns="${NS}" xmlns:r="${REL}"><sheets>` +
        this.sheets.map((s, i) => `<sheet name="${xmlText(s)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
        '</sheets></workbook>',
    );
    await this.zip.file(
      'xl/_rels/workbook.xml.rels',
      `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        range((i) => `<Relationship Id="rId${i}" Type="${REL}/worksheet" Target="worksheets/sheet${i}.xml"/>`) +
        `<Relationship Id="rId${n + 1}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    );
    await this.zip.file(
      'xl/styles.xml',
      `${XML_HEAD}<styleSheet xmlns="${NS}">` +
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
    );
    await this.zip.end();
  }
}
