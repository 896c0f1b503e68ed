/** A one-line progress bar with ETA on stderr; silent when stderr is not a terminal (logs, CI). */
export class Progress {
  private readonly start = performance.now();
  private readonly tty = process.stderr.isTTY === true;
  private lastDraw = 0;

  constructor(private readonly label: string) {}

  /** fraction in [0, 1]. */
  update(fraction: number): void {
    if (!this.tty) return;
    const now = performance.now();
    if (now - this.lastDraw < 50 && fraction < 1) return;
    this.lastDraw = now;
    const elapsed = (now - this.start) / 1000;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    process.stderr.write(
      `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ETA ${eta.toFixed(1)} s `,
    );
  }

  /** Clears the line. */
  done(): void {
    if (this.tty) process.stderr.write('\r\x1b[K');
  }
}
