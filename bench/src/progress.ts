/**
 * Progress on stderr: a redrawn bar on a terminal, one plain line per
 * finished task otherwise (logs, CI, tests).
 */

export class Progress {
  private total = 0;
  private done = 0;
  private label = '';
  private detailText = '';
  private readonly t0 = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly quiet = false) {
    this.tty = stream.isTTY === true && !quiet;
  }

  begin(total: number): void {
    this.total = total;
    if (this.tty) this.timer = setInterval(() => this.draw(), 500).unref();
  }

  start(label: string): void {
    this.label = label;
    this.detailText = '';
    this.draw();
  }

  /** Where the running task is ("memfs, round 2", "N=65000"); shown on the bar only. */
  detail(text: string): void {
    this.detailText = text;
  }

  /** A task finished; `summary` is its figure or its error. */
  end(label: string, summary: string): void {
    this.done++;
    if (this.quiet) return;
    if (this.tty) this.draw();
    else this.stream.write(`[${this.done}/${this.total}] ${label}: ${summary}\n`);
  }

  /** A line that stays (a warning); the bar is redrawn under it. */
  note(text: string): void {
    if (this.quiet) return;
    if (this.tty) this.stream.write(`\r\x1b[2K${text}\n`);
    else this.stream.write(`${text}\n`);
    this.draw();
  }

  finish(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.tty) this.stream.write('\r\x1b[2K');
  }

  private draw(): void {
    if (!this.tty) return;
    const width = 24;
    const filled = this.total === 0 ? width : Math.round((width * this.done) / this.total);
    const secs = Math.round((Date.now() - this.t0) / 1000);
    const clock = `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, '0')}`;
    const head = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${this.done}/${this.total} ${clock} `;
    const room = Math.max(10, (this.stream.columns || 100) - head.length - 1);
    const text = this.detailText !== '' ? `${this.label} — ${this.detailText}` : this.label;
    const label = text.length > room ? `${text.slice(0, room - 1)}…` : text;
    this.stream.write(`\r\x1b[2K${head}${label}`);
  }
}
