import { lastAtOrBelow } from './search';

/** The document's line ending, or `asIs` for text already in the document (scored text is never converted). */
export type Eol = '\n' | '\r\n' | 'asIs';

/**
 * Converts the model's line endings to the document's (VS Code normalises inserted text to them anyway) and maps
 * offsets in the model's text to offsets in the inserted text, so tokens land on the right characters in CRLF
 * files. A trailing "\r" is held back until the next delta shows whether "\n" follows.
 */
export class EolTranslator {
  private heldBack = '';
  private modelLength = 0;
  /** Model offsets from which `shift` applies, ascending. */
  private readonly boundaries: number[] = [];
  private readonly shifts: number[] = [];
  private shift = 0;

  constructor(private readonly eol: Eol) {}

  /** Text to insert into the document for a delta of model text. */
  translate(delta: string): string {
    if (this.eol === 'asIs') {
      this.modelLength += delta.length;
      return delta;
    }
    let text = this.heldBack + delta;
    const base = this.modelLength - this.heldBack.length;
    this.modelLength += delta.length;
    this.heldBack = '';
    if (text.endsWith('\r')) {
      this.heldBack = '\r';
      text = text.slice(0, -1);
    }
    return this.convert(text, base);
  }

  /** Text still held back at the end of the stream. */
  flush(): string {
    if (this.eol === 'asIs') return '';
    const text = this.heldBack;
    this.heldBack = '';
    return this.convert(text, this.modelLength - text.length);
  }

  /** Offset in the inserted text of an offset in the model's text. */
  toDocument(modelOffset: number): number {
    const last = lastAtOrBelow(this.boundaries.length, (index) => this.boundaries[index]!, modelOffset);
    return modelOffset + (last >= 0 ? this.shifts[last]! : 0);
  }

  private convert(text: string, base: number): string {
    if (!text.includes('\r') && (this.eol === '\n' || !text.includes('\n'))) return text;
    return text.replace(/\r\n|\r|\n/g, (found: string, at: number) => {
      const change = this.eol.length - found.length;
      if (change !== 0) {
        this.shift += change;
        this.boundaries.push(base + at + found.length);
        this.shifts.push(this.shift);
      }
      return this.eol;
    });
  }
}
